// Small helpers shared by the set-up steps. Plain Node only: this runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** An error whose message is meant for a person: printed without a stack trace. */
export class SetupError extends Error {}

export function log(message) {
  console.log(`setup: ${message}`);
}

/**
 * Runs a command synchronously and never throws: a missing binary, a timeout and a non-zero exit all
 * come back as `ok: false` with the reason in `error`/`stderr`.
 */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  return {
    ok: result.status === 0 && result.error === undefined,
    status: result.status,
    signal: result.signal,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    error: result.error,
  };
}

/** A one-line description of why `run` failed, with the tail of stderr. */
export function describeFailure(result) {
  if (result.error !== undefined) return result.error.message;
  const reason = result.signal !== null ? `killed by ${result.signal}` : `exit code ${result.status}`;
  const tail = result.stderr.trim().split('\n').slice(-15).join('\n');
  return tail === '' ? reason : `${reason}:\n${tail}`;
}

export function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path `name` resolves to on PATH, like `command -v`, or undefined. */
export function which(name) {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Readers never see a half-written file: write a sibling, then rename over the target. */
export function writeFileAtomic(path, text) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/**
 * Runs `work` holding an exclusive lock file, so two `npm test` runs started together do not run npm
 * or apt in the same folders at once. A lock left by a process that died is taken over.
 */
export async function withLock(path, what, work) {
  for (let waited = 0; ; waited += 1) {
    // link() is atomic: the lock appears with the pid already in it, so an empty lock means nothing.
    const mine = `${path}.${process.pid}`;
    writeFileSync(mine, String(process.pid));
    try {
      linkSync(mine, path);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let holder = NaN;
      try {
        holder = Number(readFileSync(path, 'utf8'));
      } catch {
        // removed meanwhile
      }
      if (!Number.isInteger(holder) || !isAlive(holder)) {
        rmSync(path, { force: true });
        continue;
      }
      if (waited === 0) log(`waiting for another set-up (pid ${holder}) that is ${what}`);
      if (waited > 900) throw new SetupError(`${path} is held by pid ${holder} for more than 15 minutes`);
      await sleep(1000);
    } finally {
      rmSync(mine, { force: true });
    }
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}
