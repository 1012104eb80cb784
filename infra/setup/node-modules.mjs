// Step 1: node_modules matches package-lock.json.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError, describeFailure, log, run, withLock } from './util.mjs';

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];
const NATIVE_PACKAGES = ['@swc/core'];

function mtime(path) {
  return statSync(path).mtimeMs;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function sortedEntries(record) {
  return Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * package.json is edited for many reasons (scripts, metadata). Only a change to its dependency
 * ranges makes node_modules stale, and then they differ from the lock file's root entry.
 */
function dependenciesMatchLock(packageJson, lockJson) {
  const root = lockJson.packages?.[''];
  if (root === undefined) return false;
  return DEPENDENCY_FIELDS.every(
    (field) =>
      JSON.stringify(sortedEntries(packageJson[field])) === JSON.stringify(sortedEntries(root[field])),
  );
}

/** Why node_modules needs an install, or undefined when it is up to date. */
function staleReason(root) {
  const installed = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const manifest = join(root, 'package.json');
  if (!existsSync(installed)) return 'node_modules is missing';
  if (!existsSync(lock)) return 'there is no package-lock.json';
  const installedAt = mtime(installed);
  if (mtime(lock) > installedAt) return 'package-lock.json changed';
  if (mtime(manifest) > installedAt && !dependenciesMatchLock(readJson(manifest), readJson(lock))) {
    return 'package.json dependencies changed';
  }
  return undefined;
}

export async function ensureNodeModules(root) {
  if (staleReason(root) === undefined) {
    log('node modules up to date');
    return;
  }
  const local = join(root, '.local');
  mkdirSync(local, { recursive: true });
  await withLock(join(local, 'npm-install.lock'), 'installing node modules', () => install(root));
}

function install(root) {
  // Checked again under the lock: another set-up may have installed while this one waited.
  const reason = staleReason(root);
  if (reason === undefined) {
    log('node modules up to date');
    return;
  }
  const hasLock = existsSync(join(root, 'package-lock.json'));
  const args = hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  log(`${reason}: running npm ${args.join(' ')}`);
  const started = Date.now();
  // npm's own output goes straight through: it is the useful part when the install fails.
  const result = run('npm', args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (!result.ok) {
    throw new SetupError(
      `npm ${args[0]} failed (${describeFailure(result)}).` +
        (hasLock
          ? ' If package.json and package-lock.json disagree, run `npm install` and commit the lock.'
          : ''),
    );
  }
  // npm 11 blocks install scripts; native packages must still load from their optional dependencies.
  const manifest = readJson(join(root, 'package.json'));
  for (const name of NATIVE_PACKAGES) {
    if (!DEPENDENCY_FIELDS.some((field) => manifest[field]?.[name] !== undefined)) continue;
    const check = run(process.execPath, ['-e', `require(${JSON.stringify(name)})`], { cwd: root });
    if (!check.ok) {
      throw new SetupError(`node modules installed, but ${name} does not load: ${describeFailure(check)}`);
    }
  }
  log(`installed node modules with npm ${args[0]} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
