import Type, { type Static } from 'typebox';
import { attributesOf, eventSchemaOptions, type EventBus } from '../events/event-bus.js';
import { ClientTag } from './client-tag.js';
import type { Task } from './model.js';

export const TASK_FINISHED = 'provisioning.task.finished';

/**
 * The event every finished task publishes, once it has ended (SUCCEEDED or FAILED). It carries ids
 * and ARNs, never a private key: consumers fetch secrets with GET /provisioningtasks/{taskId}.
 * Delivery is at least once (a redelivered message of a finished task publishes again), so
 * consumers de-duplicate on `taskId`. `version` changes only when a field changes meaning or goes.
 */
export const CompletionEvent = Type.Object(
  {
    type: Type.Literal(TASK_FINISHED),
    version: Type.Literal(1),
    taskId: Type.String(),
    status: Type.Union([Type.Literal('SUCCEEDED'), Type.Literal('FAILED')]),
    source: Type.Union([Type.Literal('api'), Type.Literal('queue')]),
    client: Type.Optional(ClientTag),
    provisioningTemplateId: Type.String(),
    thingName: Type.Optional(Type.String()),
    certificateId: Type.Optional(Type.String()),
    replacedCertificateId: Type.Optional(
      Type.String({ description: 'A certificate rotation: the certificate the new one replaced' }),
    ),
    resourceArns: Type.Optional(Type.Record(Type.String(), Type.String())),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    finishedAt: Type.String({ format: 'date-time' }),
  },
  eventSchemaOptions('ProvisioningCompletionEvent', 'A provisioning task ended'),
);
export type CompletionEvent = Static<typeof CompletionEvent>;

export function completionEvent(task: Task): CompletionEvent {
  const { checkpoint } = task;
  return {
    type: TASK_FINISHED,
    version: 1,
    taskId: task.taskId,
    status: task.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
    source: task.source,
    ...(task.client !== undefined ? { client: task.client } : {}),
    provisioningTemplateId: task.request.provisioningTemplateId,
    ...(task.status === 'SUCCEEDED'
      ? {
          thingName: checkpoint.thing?.thingName,
          certificateId: checkpoint.certificate?.certificateId,
          ...(task.result?.rotation !== undefined
            ? { replacedCertificateId: task.result.rotation.replacedCertificateId }
            : {}),
          resourceArns: task.result?.resourceArns,
        }
      : { error: task.error && { code: task.error.code, message: task.error.message } }),
    finishedAt: task.updatedAt,
  };
}

/** Where finished tasks are announced; devices of a bulk task use a silent one. */
export interface EventPublisher {
  publish(task: Task): Promise<void>;
}

export const silentEvents: EventPublisher = { publish: () => Promise.resolve() };

/**
 * Publishes a task's completion event; the caller does so after the task's final write and before
 * its message is deleted, so a crash in between is repaired by the message's next delivery.
 */
export class CompletionPublisher implements EventPublisher {
  constructor(private readonly bus: EventBus) {}

  async publish(task: Task): Promise<void> {
    const event = completionEvent(task);
    await this.bus.publish(event, attributesOf(event));
  }
}
