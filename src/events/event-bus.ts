/**
 * Where the service announces what ended: completion events of tasks and bulk tasks, and refusals
 * of queue messages. Core code depends on this port only; the composition roots build it over an
 * SNS topic (sns-event-bus.ts), which fans each event out to every subscribed queue whose filter
 * policy matches its attributes. Delivery is at least once: a consumer de-duplicates.
 */
export interface EventAttributes {
  /** The event's type, e.g. `provisioning.task.finished`. */
  type: string;
  /** SUCCEEDED / FAILED for tasks, the bulk status for bulk tasks, REFUSED for refusals. */
  status: string;
  /** How the request arrived: `api` or `queue`. */
  source: string;
  provisioningTemplateId?: string | undefined;
  /** The submitting system's own tag (`x-client` header, `client` message attribute). */
  client?: string | undefined;
}

export interface EventBus {
  publish(event: { type: string }, attributes: EventAttributes): Promise<void>;
}

/** The attributes of an event whose body carries them all (completion events). */
export function attributesOf(event: EventAttributes): EventAttributes {
  const { type, status, source, provisioningTemplateId, client } = event;
  return { type, status, source, provisioningTemplateId, client };
}

/** The schema options every event's published JSON Schema has: its title, and how it travels. */
export function eventSchemaOptions(
  title: string,
  what: string,
  attributes = '',
): { title: string; description: string } {
  return {
    title,
    description: `${what}. Published to the events topic with the message attributes type, status${attributes}, source, provisioningTemplateId and client`,
  };
}
