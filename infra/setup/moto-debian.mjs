// Installs a private moto from Debian packages into .local/moto-debian, touching none of the system's
// apt or dpkg state: bookworm has no python3-moto, trixie's runs on bookworm's python3 libraries.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { debianSource } from './apt-sources.mjs';
import { SetupError, describeFailure, isExecutable, log, run, which, withLock } from './util.mjs';

const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * Taken from the machine's own release. python3-moto does not depend on python3-flask-cors, so it is
 * named here. python3-six (needed by dateutil, urllib3, boto3, flask-cors) and python3-cffi-backend
 * (needed by cryptography as soon as a key is generated) are often installed already, but not on a
 * minimal Debian, and moto runs with -S (see debianMotoConfig), so they are named too.
 */
export const DEPENDENCIES = [
  'python3-boto3',
  'python3-botocore',
  'python3-s3transfer',
  'python3-jmespath',
  'python3-dateutil',
  'python3-six',
  'python3-urllib3',
  'python3-flask',
  'python3-flask-cors',
  'python3-werkzeug',
  'python3-itsdangerous',
  'python3-click',
  'python3-jinja2',
  'python3-markupsafe',
  'python3-responses',
  'python3-requests',
  'python3-certifi',
  'python3-idna',
  'python3-chardet',
  'python3-charset-normalizer',
  'python3-xmltodict',
  'python3-cryptography',
  'python3-cffi-backend',
  'python3-yaml',
  'python3-antlr4',
  'python3-colorama',
];

/** Releases without python3-moto; on these it comes from trixie. */
const WITHOUT_MOTO = new Set(['buster', 'bullseye', 'bookworm']);

/** moto loads a service's code on its first request; these are the services this project calls. */
const SERVICES = ['acmpca', 'dynamodb', 'iot', 'kms', 's3', 'sqs', 'ssm'];

const CHECK_SCRIPT = `
import sys
try:
    import moto, flask_cors, moto.server
    from moto.backends import get_backend
    for name in sys.argv[1:]:
        get_backend(name)
    # cryptography loads its OpenSSL binding (and _cffi_backend) only when keys are made, as IoT does.
    from cryptography.hazmat.primitives.asymmetric import ec
    ec.generate_private_key(ec.SECP256R1())
except ModuleNotFoundError as e:
    print("MISSING " + str(e.name))
    sys.exit(3)
print(moto.__version__)
`;

export function debianPaths(root) {
  const local = join(root, '.local');
  const folder = join(local, 'moto-debian');
  return {
    local,
    folder,
    dist: join(folder, 'usr', 'lib', 'python3', 'dist-packages'),
    apt: join(local, 'apt'),
    lock: join(local, 'moto-debian.lock'),
  };
}

/**
 * -S leaves the system's dist-packages off sys.path, so moto sees exactly the packages extracted here
 * and behaves the same on a minimal machine as on one with other python3-* packages installed.
 */
export function debianMotoConfig(dist) {
  return { command: SYSTEM_PYTHON, args: ['-S', '-m', 'moto.server'], env: { PYTHONPATH: dist } };
}

/** Imports moto, its server and this project's services from `dist` with the system python. */
export function verifyDebianMoto(dist) {
  const { command, args, env } = debianMotoConfig(dist);
  const result = run(command, [args[0], '-c', CHECK_SCRIPT, ...SERVICES], {
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  if (result.ok) return { ok: true, version: result.stdout.trim() };
  const missing = /^MISSING (\S+)/m.exec(result.stdout)?.[1];
  return { ok: false, missing, detail: missing ? `no module named '${missing}'` : describeFailure(result) };
}

function aptOptions(apt) {
  const options = {
    'Dir::Etc::SourceList': join(apt, 'sources.sources'),
    'Dir::Etc::SourceParts': '/dev/null',
    'Dir::Etc::Preferences': '/dev/null',
    'Dir::Etc::PreferencesParts': '/dev/null',
    'Dir::State::Lists': join(apt, 'lists'),
    'Dir::Cache': join(apt, 'cache'),
    'Dir::Cache::Archives': join(apt, 'cache', 'archives'),
    'Acquire::Languages': 'none',
  };
  // As root apt downloads as user _apt, who may not be able to write into this checkout.
  if (process.getuid?.() === 0) options['APT::Sandbox::User'] = 'root';
  return Object.entries(options).flatMap(([key, value]) => ['-o', `${key}=${value}`]);
}

function writeSources(apt, source, suites) {
  const architecture = run('dpkg', ['--print-architecture']).stdout.trim();
  const lines = [
    `# Written by infra/setup.mjs from ${source.origin}; used only with -o Dir::Etc::SourceList.`,
    'Types: deb',
    `URIs: ${source.uris.join(' ')}`,
    `Suites: ${suites.join(' ')}`,
    'Components: main',
    ...(architecture !== '' ? [`Architectures: ${architecture}`] : []),
    ...(source.signedBy !== undefined ? [`Signed-By: ${source.signedBy}`] : []),
  ];
  writeFileSync(join(apt, 'sources.sources'), `${lines.join('\n')}\n`);
}

function aptGet(args, aptDir, cwd) {
  const result = run('apt-get', ['-q', ...aptOptions(aptDir), ...args], {
    cwd,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 600_000,
  });
  if (!result.ok) throw new SetupError(`apt-get ${args[0]} failed: ${describeFailure(result)}`);
  return result;
}

function debFor(debs, name) {
  return readdirSync(debs).find((file) => file.startsWith(`${name}_`) && file.endsWith('.deb'));
}

/**
 * Downloads, extracts and checks the packages. Returns { version, installed }, where installed is
 * false when another process finished the install while this one waited. Throws SetupError.
 */
export async function installDebianMoto(root) {
  if (!isExecutable(SYSTEM_PYTHON)) throw new SetupError(`${SYSTEM_PYTHON} is not installed`);
  for (const tool of ['apt-get', 'dpkg-deb', 'dpkg']) {
    if (which(tool) === undefined) throw new SetupError(`${tool} is not on PATH`);
  }
  const source = debianSource();
  const paths = debianPaths(root);
  mkdirSync(paths.local, { recursive: true });

  return withLock(paths.lock, 'installing moto', () => {
    // Someone else may have finished while this process waited for the lock.
    if (existsSync(paths.dist)) {
      const existing = verifyDebianMoto(paths.dist);
      if (existing.ok) return { version: existing.version, installed: false };
    }
    const motoSuite = WITHOUT_MOTO.has(source.codename) ? 'trixie' : source.codename;
    const suites = [...new Set([source.codename, motoSuite])];
    const debs = join(paths.apt, 'debs');
    for (const dir of [
      join(paths.apt, 'lists', 'partial'),
      join(paths.apt, 'cache', 'archives', 'partial'),
      debs,
    ]) {
      mkdirSync(dir, { recursive: true });
    }
    writeSources(paths.apt, source, suites);

    const wanted = [
      ...DEPENDENCIES.map((name) => ({ name, release: source.codename })),
      { name: 'python3-moto', release: motoSuite },
    ];
    const missing = wanted.filter(({ name }) => debFor(debs, name) === undefined);
    if (missing.length > 0) {
      log(
        `apt-get update for ${suites.join(' + ')} from ${source.uris.join(' ')} (private state in .local/apt)`,
      );
      aptGet(['update'], paths.apt, paths.apt);
      log(`downloading ${missing.length} packages (python3-moto from ${motoSuite})`);
      aptGet(['download', ...missing.map(({ name, release }) => `${name}/${release}`)], paths.apt, debs);
    }

    const staging = `${paths.folder}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    for (const { name } of wanted) {
      const deb = debFor(debs, name);
      if (deb === undefined) throw new SetupError(`apt-get download did not produce a .deb for ${name}`);
      const result = run('dpkg-deb', ['-x', join(debs, deb), staging]);
      if (!result.ok) throw new SetupError(`dpkg-deb -x ${deb} failed: ${describeFailure(result)}`);
    }
    const stagingDist = join(staging, 'usr', 'lib', 'python3', 'dist-packages');
    const check = verifyDebianMoto(stagingDist);
    if (!check.ok) {
      rmSync(staging, { recursive: true, force: true });
      throw new SetupError(
        `moto from Debian packages does not import (${check.detail}).` +
          (check.missing
            ? ` Add the Debian package that provides '${check.missing}' to DEPENDENCIES in infra/setup/moto-debian.mjs.`
            : ''),
      );
    }
    rmSync(paths.folder, { recursive: true, force: true });
    renameSync(staging, paths.folder);
    return { version: check.version, installed: true };
  });
}
