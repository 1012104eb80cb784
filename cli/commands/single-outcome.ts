import type { TaskView } from '../api/schemas.js';
import type { DeviceOutcome } from '../output/device-outcome.js';

/** A single-device task as a folder outcome: names and ids read from its ARNs where the view has no field. */
export function singleOutcome(view: TaskView, thingNameHint?: string): DeviceOutcome | undefined {
  if (view.status !== 'SUCCEEDED' && view.status !== 'FAILED') return undefined;
  const arns = view.resourceArns ?? {};
  const thingName = view.thingName ?? afterSlash(arns.thing) ?? thingNameHint ?? null;
  return {
    taskId: view.taskId,
    status: view.status,
    thingName,
    certificateId: afterSlash(arns.certificate) ?? null,
    ...(view.certificatePem !== undefined ? { certificatePem: view.certificatePem } : {}),
    ...(view.certificateChainPem !== undefined ? { certificateChainPem: view.certificateChainPem } : {}),
    ...(view.privateKey !== undefined ? { privateKey: view.privateKey } : {}),
    resourceArns: arns,
    ...(view.error !== undefined ? { error: view.error } : {}),
  };
}

/** `arn:aws:iot:…:thing/pump-1` → `pump-1`; `…:cert/abc` → `abc`. */
function afterSlash(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const i = arn.indexOf('/');
  return i === -1 ? undefined : arn.slice(i + 1);
}

/** A task view fit to print or log: the private key replaced by a note. */
export function withoutKey<T extends { privateKey?: string | null }>(view: T): T {
  if (view.privateKey == null) return view;
  return { ...view, privateKey: '(not shown: use --out DIR to save it as private.key)' };
}

/** Reads a single-device task once a second until it has ended. */
export async function endedTask(
  api: { task(taskId: string): Promise<TaskView> },
  taskId: string,
  pollMs = 1000,
): Promise<TaskView> {
  let view = await api.task(taskId);
  while (view.status !== 'SUCCEEDED' && view.status !== 'FAILED') {
    await new Promise((r) => setTimeout(r, pollMs));
    view = await api.task(taskId);
  }
  return view;
}
