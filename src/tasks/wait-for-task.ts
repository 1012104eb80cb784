import type { Task } from './model.js';
import type { TaskStore } from './task-store.js';

/**
 * Waits for a task to finish, up to `seconds` (RFC 7240 `Prefer: wait`), reading it as seldom as
 * it can: the first read comes when a task usually finishes (how long the tasks this process
 * waited for lately took, from submit to finish), later ones back off from there. Most waits end
 * at their first or second read.
 */
export class TaskWaiter {
  /** Recent submit-to-finish time, an exponentially weighted average. */
  private typicalMs: number;

  constructor(
    private readonly tasks: Pick<TaskStore, 'get'>,
    private readonly options: {
      initialMs?: number;
      sleep?: (ms: number) => Promise<void>;
      now?: () => number;
    } = {},
  ) {
    this.typicalMs = options.initialMs ?? 400;
  }

  async wait(taskId: string, seconds: number): Promise<Task | undefined> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const now = this.options.now ?? Date.now;
    const deadline = now() + seconds * 1000;
    // A little past the typical time, so a typical task is done at the first read.
    let delay = clamp(this.typicalMs * 1.2, 50, 5000);
    let next = Math.max(50, this.typicalMs / 4);
    for (;;) {
      await sleep(Math.max(0, Math.min(delay, deadline - now())));
      const task = await this.tasks.get(taskId);
      if (task === undefined) return task;
      if (task.status === 'SUCCEEDED' || task.status === 'FAILED') {
        this.learn(Date.parse(task.updatedAt) - Date.parse(task.createdAt));
        return task;
      }
      if (now() >= deadline) return task;
      delay = next;
      next = Math.min(next * 2, 2000);
    }
  }

  private learn(tookMs: number): void {
    if (Number.isFinite(tookMs) && tookMs >= 0) this.typicalMs = 0.8 * this.typicalMs + 0.2 * tookMs;
  }
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
