import { describe, expect, it } from '@jest/globals';
import type { Task, TaskStatus } from '../../../src/tasks/model.js';
import { TaskWaiter } from '../../../src/tasks/wait-for-task.js';

/**
 * A task store whose task finishes `tookMs` after the wait starts, on a clock the waiter's sleeps
 * move: the test counts the reads and when they happen, without waiting in real time.
 */
function world(tookMs: number) {
  let now = 0;
  const reads: number[] = [];
  const task = (status: TaskStatus): Task =>
    ({
      taskId: 't',
      status,
      createdAt: new Date(0).toISOString(),
      updatedAt: new Date(status === 'SUCCEEDED' ? tookMs : now).toISOString(),
    }) as Task;
  const tasks = {
    get: () => {
      reads.push(now);
      return Promise.resolve(task(now >= tookMs ? 'SUCCEEDED' : 'RUNNING'));
    },
  };
  const sleep = (ms: number) => {
    now += ms;
    return Promise.resolve();
  };
  return {
    reads,
    restart: () => {
      now = 0;
      reads.length = 0;
    },
    waiter: (initialMs?: number) => new TaskWaiter(tasks, { sleep, initialMs, now: () => now }),
  };
}

describe('TaskWaiter', () => {
  it('reads a task that finishes in the usual time once, just after it finished', async () => {
    const w = world(300);
    const task = await w.waiter(300).wait('t', 25);
    expect(task?.status).toBe('SUCCEEDED');
    expect(w.reads).toEqual([360]);
  });

  it('learns how long tasks take, so a few waits later one read is enough', async () => {
    const w = world(2000);
    const waiter = w.waiter(300);
    const readsPerWait: number[] = [];
    for (let i = 0; i < 12; i++) {
      w.restart();
      await waiter.wait('t', 25);
      readsPerWait.push(w.reads.length);
    }
    expect(readsPerWait[0]).toBeGreaterThan(2);
    expect(readsPerWait.slice(-3)).toEqual([1, 1, 1]);
  });

  it('backs off between reads of a slow task, and answers it unfinished at the deadline', async () => {
    const w = world(60_000);
    const task = await w.waiter(400).wait('t', 5);
    expect(task?.status).toBe('RUNNING');
    expect(w.reads.at(-1)).toBe(5000);
    const gaps = w.reads.slice(1).map((at, i) => at - (w.reads[i] ?? 0));
    for (let i = 1; i < gaps.length - 1; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1] ?? 0);
    expect(w.reads.length).toBeLessThanOrEqual(7);
  });
});
