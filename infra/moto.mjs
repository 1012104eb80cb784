// Starts the moto AWS emulator as a child process on 127.0.0.1. How to run moto on this machine
// is decided once by infra/setup.mjs, which writes .local/moto.json; this module only reads it.
// Plain JavaScript (typed with JSDoc) so that Jest's global setup can load it natively.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

/** @typedef {{ command: string; args: string[]; env: Record<string, string> }} MotoCommand */
/** @typedef {{ endpoint: string; pid: number; stop(): Promise<void> }} RunningMoto */

const motoJson = fileURLToPath(new URL('../.local/moto.json', import.meta.url));
const motoSite = fileURLToPath(new URL('./moto-site', import.meta.url));

/** @returns {Promise<MotoCommand>} */
export async function readMotoCommand() {
  try {
    return JSON.parse(await readFile(motoJson, 'utf8'));
  } catch (e) {
    throw new Error(
      `No moto emulator is set up (${motoJson} is missing or unreadable). Run 'node infra/setup.mjs', ` +
        `which finds or installs moto, or set AWS_ENDPOINT_URL to an emulator you run yourself.`,
      { cause: e },
    );
  }
}

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not allocate a port'));
      });
    });
  });
}

/**
 * The emulator's Python loads infra/moto-site/sitecustomize.py first, which makes moto's
 * conditional writes atomic as DynamoDB's are, and ends the emulator with its starter.
 * @param {Record<string, string>} env
 * @returns {string}
 */
function pythonPath(env) {
  const before = env.PYTHONPATH ?? process.env.PYTHONPATH;
  return before ? `${motoSite}${delimiter}${before}` : motoSite;
}

/**
 * @param {{ port?: number; timeoutMs?: number }} [options]
 * @returns {Promise<RunningMoto>}
 */
export async function startMoto(options = {}) {
  const motoCommand = await readMotoCommand();
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(motoCommand.command, [...motoCommand.args, '-H', '127.0.0.1', '-p', String(port)], {
    env: {
      ...process.env,
      ...motoCommand.env,
      PYTHONPATH: pythonPath(motoCommand.env),
      // Read by moto-site/moto_site_exit_with_starter.py: the emulator ends when this process is gone.
      MOTO_STARTED_BY_PID: String(process.pid),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only the service, which drains its
    // workers against a live emulator and then stops it.
    detached: true,
  });
  // Whatever way this process ends, the emulator ends with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    // Keep only the tail: moto logs every request to stderr.
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`moto exited with code ${child.exitCode} before it answered:\n${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto did not answer on ${endpoint} within the timeout:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, pid: child.pid ?? -1, stop };
}
