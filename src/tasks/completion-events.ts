import Type, { type Static } from 'typebox';
import type { MessageQueue } from '../queue/message-queue.js';
import type { Task } from './model.js';

/**
 * The message every finished task sends to the results queue. It carries ids and ARNs, never a
 * private key: consumers fetch secrets with GET /provisioningtasks/{taskId}. Delivery is
 * at-least-once: it is sent after the task's final write and before its message is deleted, and a
 * redelivered message of a finished task sends it again, so consumers de-duplicate on `taskId`.
 */
export const CompletionEvent = Type.Object(
  {
    type: Type.Literal('provisioning.task.finished'),
    taskId: Type.String(),
    status: Type.Union([Type.Literal('SUCCEEDED'), Type.Literal('FAILED')]),
    provisioningTemplateId: Type.String(),
    thingName: Type.Optional(Type.String()),
    certificateId: Type.Optional(Type.String()),
    resourceArns: Type.Optional(Type.Record(Type.String(), Type.String())),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    finishedAt: Type.String({ format: 'date-time' }),
  },
  {
    title: 'ProvisioningCompletionEvent',
    description: 'Body of a message on the provisioning results queue',
  },
);
export type CompletionEvent = Static<typeof CompletionEvent>;

export function completionEvent(task: Task): CompletionEvent {
  const { checkpoint } = task;
  return {
    type: 'provisioning.task.finished',
    taskId: task.taskId,
    status: task.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
    provisioningTemplateId: task.request.provisioningTemplateId,
    ...(task.status === 'SUCCEEDED'
      ? {
          thingName: checkpoint.thing?.thingName,
          certificateId: checkpoint.certificate?.certificateId,
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

export class CompletionPublisher implements EventPublisher {
  constructor(private readonly results: MessageQueue) {}

  async publish(task: Task): Promise<void> {
    await this.results.send(JSON.stringify(completionEvent(task)), { status: task.status });
  }
}
