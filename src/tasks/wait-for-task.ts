import type { Task } from './model.js';
import type { TaskStore } from './task-store.js';

/**
 * Polls a task until it finishes or `seconds` pass (RFC 7240 `Prefer: wait`). Starts fast, since
 * most tasks take well under a second, then backs off to spare the table.
 */
export async function waitForTask(
  tasks: TaskStore,
  taskId: string,
  seconds: number,
): Promise<Task | undefined> {
  const deadline = Date.now() + seconds * 1000;
  let delay = 25;
  for (;;) {
    const task = await tasks.get(taskId);
    if (task === undefined || task.status === 'SUCCEEDED' || task.status === 'FAILED') return task;
    const left = deadline - Date.now();
    if (left <= 0) return task;
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    delay = Math.min(delay * 2, 500);
  }
}
