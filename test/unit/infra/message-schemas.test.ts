import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import type { TSchema } from 'typebox';
import { messageSchemas } from '../../../infra/message-schemas.js';
import { bulkCompletionEvent } from '../../../src/bulk/completion-event.js';
import type { BulkTask } from '../../../src/bulk/model.js';
import type { EventAttributes } from '../../../src/events/event-bus.js';
import { completionEvent } from '../../../src/tasks/completion-events.js';
import type { Task } from '../../../src/tasks/model.js';
import { newTask } from '../../../src/tasks/new-task.js';
import { publishRefusal } from '../../../src/tasks/refused-event.js';
import { validator } from '../../../src/validation.js';

const published = async (file: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(new URL(`../../../docs/schemas/${file}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;

describe('published queue message and event schemas', () => {
  it.each(Object.entries(messageSchemas()))(
    'docs/schemas/%s matches the code (run npm run schemas)',
    async (file, schema) => {
      expect(await published(file)).toEqual(schema);
    },
  );

  it.each(['completion-event', 'bulk-completion-event', 'request-refused-event'])(
    '%s names its type and version 1',
    async (name) => {
      const { properties } = (await published(`${name}.schema.json`)) as {
        properties: { type: { const?: string }; version: { const?: number } };
      };
      expect(properties.type.const).toMatch(/^provisioning\.[a-z]+\.[a-z]+$/);
      expect(properties.version.const).toBe(1);
    },
  );
});

describe('the events the code publishes conform to the published schemas', () => {
  const conforms = async (file: string, event: unknown) => {
    const check = validator((await published(file)) as TSchema);
    expect(check.problems(event)).toEqual([]);
  };
  const task = (over: Partial<Task>): Task => ({
    ...newTask(
      'erp-1',
      { provisioningTemplateId: 'aws-certificate', parameters: {} },
      {
        source: 'queue',
        client: 'erp-eu',
        ttlSeconds: 60,
      },
    ),
    ...over,
  });

  it('a SUCCEEDED and a FAILED task', async () => {
    await conforms(
      'completion-event.schema.json',
      completionEvent(
        task({
          status: 'SUCCEEDED',
          checkpoint: { policies: {}, thing: { created: true, thingName: 'pump-1', thingArn: 'arn:thing' } },
          result: { resourceArns: { thing: 'arn:thing' } },
        }),
      ),
    );
    await conforms(
      'completion-event.schema.json',
      completionEvent(task({ status: 'FAILED', error: { code: 'X', message: 'why', kind: 'invalid' } })),
    );
  });

  it('a bulk task, whatever its final status', async () => {
    const bulk: BulkTask = {
      taskId: '00000000-0000-4000-8000-000000000000',
      status: 'Cancelled',
      provisioningTemplateId: 'aws-certificate',
      input: { bucket: 'b', key: 'k' },
      successCount: 1,
      failureCount: 0,
      creationDate: new Date().toISOString(),
      lastModifiedDate: new Date().toISOString(),
      expiresAt: 0,
    };
    for (const status of ['Completed', 'CompletedWithFailures', 'Failed', 'Cancelled'] as const)
      await conforms('bulk-completion-event.schema.json', bulkCompletionEvent({ ...bulk, status }));
  });

  it('a refused request, with its attributes', async () => {
    const sent: { event: { type: string }; attributes: EventAttributes }[] = [];
    await publishRefusal(
      { publish: (event, attributes) => Promise.resolve(void sent.push({ event, attributes })) },
      {
        messageId: 'm-1',
        taskId: 'erp-1',
        client: 'not a tag',
        body: { provisioningTemplateId: 'aws-certificate' },
        code: 'TASK_ID_REUSED',
        message: 'reused',
      },
    );
    await conforms('request-refused-event.schema.json', sent[0]?.event);
    expect(sent[0]?.attributes).toEqual({
      type: 'provisioning.request.refused',
      status: 'REFUSED',
      source: 'queue',
      provisioningTemplateId: 'aws-certificate',
      client: undefined,
    });
  });
});
