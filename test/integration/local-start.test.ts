import { afterAll, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../infra/moto.mjs';
import { waitFor } from '../support/wait.js';

/**
 * `npm start` in a terminal, stopped with Ctrl-C. A terminal sends SIGINT to the whole
 * foreground process group, so the emulator the service started must not be in it: the workers
 * drain against a live emulator, and only then is the emulator stopped. Before, moto died with
 * the group and the draining workers logged connection errors.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null)
    process.kill(-child.pid, 'SIGKILL');
});

it('Ctrl-C drains the workers while the emulator still answers, then stops it', async () => {
  const motoPort = await freePort();
  const { NODE_OPTIONS: _jestOptions, AWS_ENDPOINT_URL: _emulator, ...inherited } = process.env;
  // detached: its own process group, as a shell gives a foreground job.
  const started = spawn(process.execPath, ['--import', 'tsx', 'infra/local.ts'], {
    cwd: ROOT,
    env: { ...inherited, PORT: '0', MOTO_PORT: String(motoPort), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child = started;
  let output = '';
  started.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  started.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => started.once('exit', resolve));

  await waitFor(
    'npm start to print its usage',
    () => Promise.resolve(output),
    (o) => o.includes('Provisioning service is running.') || started.exitCode !== null,
    120_000,
  );
  process.kill(-(started.pid ?? 0), 'SIGINT');
  const code = await exited;

  expect({ code, errors: output.split('\n').filter((l) => /"level":"error"|ECONNREFUSED/.test(l)) }).toEqual({
    code: 0,
    errors: [],
  });
  await expect(fetch(`http://127.0.0.1:${motoPort}/moto-api/`)).rejects.toThrow();
});
