import Type, { type Static } from 'typebox';
import { eventSchemaOptions, type EventBus } from '../events/event-bus.js';
import { validator } from '../validation.js';
import { ClientTag, isClientTag } from './client-tag.js';
import { TemplateId } from './request.js';

export const REQUEST_REFUSED = 'provisioning.request.refused';

/**
 * A message on the requests queue that no task can record: its body is not a JSON object, its
 * task id belongs to a different request, or it names a task that does not exist. The message is
 * kept on the dead-letter queue for a person; this event tells its sender, by the SQS message id
 * `SendMessage` returned (and the task id, when the message had a readable one).
 */
export const RequestRefusedEvent = Type.Object(
  {
    type: Type.Literal(REQUEST_REFUSED),
    version: Type.Literal(1),
    messageId: Type.String({ description: 'The SQS message id of the refused message' }),
    taskId: Type.Optional(Type.String()),
    source: Type.Literal('queue'),
    client: Type.Optional(ClientTag),
    provisioningTemplateId: Type.Optional(Type.String()),
    reason: Type.Object({ code: Type.String(), message: Type.String() }),
    refusedAt: Type.String({ format: 'date-time' }),
  },
  eventSchemaOptions(
    'RequestRefusedEvent',
    'A message on the requests queue was refused without a task to record it',
    ' (REFUSED)',
  ),
);
export type RequestRefusedEvent = Static<typeof RequestRefusedEvent>;

export interface Refusal {
  messageId: string;
  taskId?: string | undefined;
  /** The message's `client` attribute, carried only when it is a well-formed tag. */
  client?: string | undefined;
  /** The message body, parsed, if it was JSON: its template id is carried when it is one. */
  body?: unknown;
  code: string;
  message: string;
}

const templateId = validator(TemplateId);

export async function publishRefusal(bus: EventBus, refusal: Refusal): Promise<void> {
  const template = (refusal.body as { provisioningTemplateId?: unknown } | undefined)?.provisioningTemplateId;
  const client = refusal.client !== undefined && isClientTag(refusal.client) ? refusal.client : undefined;
  const event: RequestRefusedEvent = {
    type: REQUEST_REFUSED,
    version: 1,
    messageId: refusal.messageId,
    ...(refusal.taskId !== undefined ? { taskId: refusal.taskId } : {}),
    source: 'queue',
    ...(client !== undefined ? { client } : {}),
    ...(templateId.check(template) ? { provisioningTemplateId: template } : {}),
    reason: { code: refusal.code, message: refusal.message },
    refusedAt: new Date().toISOString(),
  };
  await bus.publish(event, {
    type: event.type,
    status: 'REFUSED',
    source: event.source,
    provisioningTemplateId: event.provisioningTemplateId,
    client: event.client,
  });
}
