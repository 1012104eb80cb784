import { BulkCompletionEvent } from '../src/bulk/completion-event.js';
import { CompletionEvent } from '../src/tasks/completion-events.js';
import { RequestRefusedEvent } from '../src/tasks/refused-event.js';
import { RequestMessage } from '../src/tasks/request-message.js';

/**
 * The queue message and event contracts as standalone JSON Schema documents (typebox types are
 * JSON Schema). Every event has a `type` and a `version`.
 */
export function messageSchemas(): Record<string, unknown> {
  const document = (schema: object) => ({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>),
  });
  return {
    'request-message.schema.json': document(RequestMessage),
    'completion-event.schema.json': document(CompletionEvent),
    'bulk-completion-event.schema.json': document(BulkCompletionEvent),
    'request-refused-event.schema.json': document(RequestRefusedEvent),
  };
}
