import { afterAll, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../support/wait.js';

/**
 * The emulator ends with the process that started it, however that process ends. Exit handlers
 * stop it on a normal exit; a SIGKILL (a killed test run, an OOM kill) runs none, and the
 * emulator used to run on, holding its port and memory, until someone found it.
 */
const MOTO = fileURLToPath(new URL('../../infra/moto.mjs', import.meta.url));
const started: number[] = [];

afterAll(() => {
  for (const pid of started) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('stops when the process that started it is killed with SIGKILL', async () => {
  const script = `const { startMoto } = await import(${JSON.stringify(MOTO)});
const moto = await startMoto();
console.log(moto.pid);
setInterval(() => undefined, 60_000);`;
  const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(parent.stdout, 'data')) as [Buffer];
  const motoPid = Number(line.toString('utf8').trim());
  started.push(motoPid);
  expect(isRunning(motoPid)).toBe(true);

  parent.kill('SIGKILL');
  await once(parent, 'exit');
  await waitFor(
    'the emulator to end with its parent',
    () => Promise.resolve(isRunning(motoPid)),
    (running) => !running,
    20_000,
  );
});
