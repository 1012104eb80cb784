import type { Metrics } from '../metrics/metrics.js';
import type { TemplateStore } from '../templates/template-store.js';
import type { Task } from './model.js';

/**
 * Counts a device task that has just ended, by template, certificate mode and error code, with
 * its time from submission to end. Called once per task, at the write that ended it (never when
 * an event is published again), so the counters move by exactly the devices provisioned.
 * `template` is given as '(unchecked)' for requests refused before their template id was proven
 * to be one (a label must not take whatever a message says).
 */
export function countTaskEnding(
  metrics: Metrics,
  task: Task,
  labels: { mode?: string; template?: string } = {},
): void {
  const template = labels.template ?? task.request.provisioningTemplateId;
  const mode = labels.mode ?? 'unknown';
  if (task.status === 'SUCCEEDED') metrics.count('devicesProvisioned', { template, mode });
  else metrics.count('devicesFailed', { template, mode, code: task.error?.code ?? 'UNKNOWN' });
  const seconds = (Date.parse(task.updatedAt) - Date.parse(task.createdAt)) / 1000;
  metrics.observe('taskDuration', { template, status: task.status }, Math.max(0, seconds));
}

/** The task's certificate mode, for its metrics: `none` for a template without one. */
export async function certificateModeOf(task: Task, templates: Pick<TemplateStore, 'load'>): Promise<string> {
  // A rotation runs no stored template: its mode is its own (own-ca, aws, …).
  if (task.rotation !== undefined) return task.rotation.mode;
  try {
    const template = await templates.load(task.request.provisioningTemplateId, task.templateVersion);
    return template.certificateMode ?? 'none';
  } catch {
    return 'unknown';
  }
}
