// Step 2: decide how to run the moto emulator on this machine and record it in .local/moto.json,
// the file infra/moto.ts reads ({ command, args, env }; it appends `-H 127.0.0.1 -p PORT`).
import { Buffer } from 'node:buffer';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { debianMotoConfig, debianPaths, installDebianMoto, verifyDebianMoto } from './moto-debian.mjs';
import { SetupError, describeFailure, isExecutable, log, run, which, writeFileAtomic } from './util.mjs';

const PROBE_TIMEOUT_MS = 30_000;

const HOW_TO_INSTALL =
  "Install moto with `pip install 'moto[server]'` (so `moto_server` or `python3 -m moto.server` works) and " +
  're-run, or run the emulator yourself (`docker run --rm -p 5000:5000 motoserver/moto`) and set ' +
  'AWS_ENDPOINT_URL=http://127.0.0.1:5000, or set MOTO_COMMAND to a command that accepts `-H HOST -p PORT`.';

function readJsonOrUndefined(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function flag(name) {
  const value = (process.env[name] ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false' && value !== 'no';
}

function firstBytes(path, length) {
  let fd;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(length);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, length, 0));
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A pyenv shim picks the Python version from the current directory and global settings at every
 * call, and exists for versions that lack the script. Record the script it resolves to now, so the
 * cached choice keeps meaning the moto that was checked.
 */
function resolvePyenvShim(path, name) {
  const text = firstBytes(path, 4096);
  const pyenv = /exec "([^"]*\/libexec\/pyenv)" exec/.exec(text)?.[1];
  if (pyenv === undefined) return path;
  const result = run(pyenv, ['which', name], { timeout: PROBE_TIMEOUT_MS });
  const resolved = result.stdout.trim();
  return result.ok && isExecutable(resolved) ? resolved : path;
}

/** b. A `moto_server` on PATH that really starts. */
function motoServerOnPath() {
  const found = which('moto_server');
  if (found === undefined) return { reason: 'no moto_server on PATH' };
  const help = run(found, ['--help'], { timeout: PROBE_TIMEOUT_MS });
  if (!help.ok) return { reason: `${found} --help failed (${describeFailure(help).split('\n')[0]})` };
  const script = resolvePyenvShim(found, 'moto_server');
  const interpreter = /^#!\s*(\/\S+)/.exec(firstBytes(script, 512))?.[1];
  return {
    choice: {
      description: `moto_server on PATH (${script})`,
      config: { command: script, args: [], env: {} },
      checks: [script, ...(interpreter !== undefined && !interpreter.endsWith('/env') ? [interpreter] : [])],
    },
  };
}

/** c. A `python3` on PATH that imports moto and flask_cors. */
function python3OnPath() {
  const found = which('python3');
  if (found === undefined) return { reason: 'no python3 on PATH' };
  const probe = run(
    found,
    [
      '-c',
      'import json, os, sys, moto, flask_cors, moto.server; ' +
        'print(json.dumps([sys.executable, os.path.dirname(moto.__file__), os.path.dirname(flask_cors.__file__)]))',
    ],
    { timeout: PROBE_TIMEOUT_MS },
  );
  if (!probe.ok)
    return { reason: `${found} cannot import moto (${describeFailure(probe).split('\n').at(-1)})` };
  const [executable, ...packages] = JSON.parse(probe.stdout.trim().split('\n').at(-1));
  return {
    choice: {
      description: `python3 -m moto.server (${executable})`,
      config: { command: executable, args: ['-m', 'moto.server'], env: {} },
      checks: [executable, ...packages],
    },
  };
}

function debianChoice(dist, version) {
  const config = debianMotoConfig(dist);
  return {
    description: `moto ${version} from Debian packages in .local/moto-debian`,
    config,
    checks: [config.command, join(dist, 'moto', '__init__.py'), join(dist, 'flask_cors', '__init__.py')],
  };
}

/** d. The private copy from an earlier run. */
function installedDebianMoto(root) {
  const { dist } = debianPaths(root);
  if (!existsSync(join(dist, 'moto'))) return { reason: 'no private copy in .local/moto-debian yet' };
  const check = verifyDebianMoto(dist);
  if (!check.ok) return { reason: `.local/moto-debian does not import (${check.detail})` };
  return { choice: debianChoice(dist, check.version) };
}

/** e. Install the private copy from Debian packages. */
async function newDebianMoto(root) {
  const started = Date.now();
  try {
    const { version, installed } = await installDebianMoto(root);
    if (installed) {
      log(
        `installed moto ${version} from Debian packages in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    return { choice: debianChoice(debianPaths(root).dist, version) };
  } catch (e) {
    if (e instanceof SetupError) return { reason: `installing from Debian packages failed: ${e.message}` };
    throw e;
  }
}

function cachedChoice(state, motoJson, forceDebian) {
  if (state === undefined || state.source === 'MOTO_COMMAND') return undefined;
  if (forceDebian && state.source !== 'debian') return undefined;
  // A forced choice is for trying that path out; without the flag the usual preference applies again.
  if (!forceDebian && state.forcedDebian === true) return undefined;
  if (!Array.isArray(state.checks) || !state.checks.every((path) => existsSync(path))) return undefined;
  const current = readJsonOrUndefined(motoJson);
  if (JSON.stringify(current) !== JSON.stringify(state.config)) return undefined;
  return state;
}

function record(paths, source, choice, forcedDebian = false) {
  mkdirSync(paths.local, { recursive: true });
  const config = choice.config;
  writeFileAtomic(paths.motoJson, `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomic(
    paths.state,
    `${JSON.stringify({ source, forcedDebian, description: choice.description, checks: choice.checks, config }, null, 2)}\n`,
  );
}

export async function ensureMoto(root) {
  if ((process.env.AWS_ENDPOINT_URL ?? '') !== '') {
    log(`AWS_ENDPOINT_URL is set (${process.env.AWS_ENDPOINT_URL}): not setting up the local moto emulator`);
    return;
  }
  const local = join(root, '.local');
  const paths = { local, motoJson: join(local, 'moto.json'), state: join(local, 'moto-setup.json') };
  const forceDebian = flag('MOTO_FORCE_DEBIAN');

  const motoCommand = (process.env.MOTO_COMMAND ?? '').trim();
  if (motoCommand !== '' && !forceDebian) {
    const [command, ...args] = motoCommand.split(/\s+/);
    if (which(command) === undefined)
      throw new SetupError(`MOTO_COMMAND: '${command}' is not an executable on PATH`);
    record(paths, 'MOTO_COMMAND', {
      description: `MOTO_COMMAND (${motoCommand})`,
      config: { command, args, env: {} },
      checks: [],
    });
    log(`moto: MOTO_COMMAND (${motoCommand})`);
    return;
  }

  const cached = cachedChoice(readJsonOrUndefined(paths.state), paths.motoJson, forceDebian);
  if (cached !== undefined) {
    log(`moto: ${cached.description} (cached)`);
    return;
  }

  const attempts = [
    ...(forceDebian ? [] : [motoServerOnPath, python3OnPath]),
    installedDebianMoto,
    newDebianMoto,
  ];
  const reasons = forceDebian ? ['MOTO_FORCE_DEBIAN is set: moto on PATH and python3 not considered'] : [];
  for (const attempt of attempts) {
    const outcome = await attempt(root);
    if (outcome.choice !== undefined) {
      const source =
        attempt === motoServerOnPath ? 'moto_server' : attempt === python3OnPath ? 'python3' : 'debian';
      record(paths, source, outcome.choice, forceDebian);
      log(`moto: ${outcome.choice.description}`);
      return;
    }
    reasons.push(outcome.reason);
  }
  throw new SetupError(
    `no way to run the moto AWS emulator was found:\n  - ${reasons.join('\n  - ')}\n${HOW_TO_INSTALL}`,
  );
}
