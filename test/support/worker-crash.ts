import { expect } from '@jest/globals';
import type { BulkTask } from '../../src/bulk/model.js';
import type { TestStack } from './stack.js';
import { waitFor } from './wait.js';
import { spawnWorker, type WorkerProcess } from './worker-process.js';

/**
 * A bulk task's worker process killed with SIGKILL once `killAfter` devices have succeeded, while
 * the task is still running, and a second worker started in its place; answers the task as it
 * ended. Each worker is added to `running` as it starts, so the file's `afterAll` stops whatever
 * a failed assertion left behind.
 */
export async function killWorkerMidTask(
  stack: TestStack,
  taskId: string,
  running: WorkerProcess[],
  timing: { killAfter: number; progressMs: number; endMs: number },
): Promise<BulkTask | undefined> {
  const first = spawnWorker(stack.env);
  running.push(first);
  await waitFor(
    `${timing.killAfter} devices done`,
    () => stack.services.bulk.progress(taskId),
    (t) => (t?.successCount ?? 0) >= timing.killAfter,
    timing.progressMs,
  );
  first.child.kill('SIGKILL');
  expect(await first.exited).toBeNull();
  expect((await stack.services.bulk.get(taskId))?.status).toBe('InProgress');

  const second = spawnWorker(stack.env);
  running.push(second);
  const done = await waitFor(
    'the end of the task',
    () => stack.services.bulk.get(taskId),
    (t) => t?.status !== 'InProgress',
    timing.endMs,
  );
  second.child.kill('SIGTERM');
  await second.exited;
  return done;
}
