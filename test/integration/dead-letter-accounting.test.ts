import { describe, expect, it } from '@jest/globals';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { newTask } from '../../src/tasks/new-task.js';
import { DEAD_LETTERED } from '../../src/tasks/dead-lettered-request.js';
import { handleDeadLetter } from '../../workers/handle-dead-letter.js';
import { useStack } from '../support/stack.js';
import { inboundMessage, recordTask } from '../support/tasks.js';
import { waitFor } from '../support/wait.js';

/**
 * The requests DLQ's handler deletes a message only once a task accounts for it; a message it
 * cannot account for is set aside on the DLQ, with the reason, for a person.
 */
const env = useStack();

/** The set-aside copy of a message on the requests DLQ, by the original's message id. */
async function setAside(originalMessageId: string): Promise<{ body: string; reason: string }> {
  const found = await waitFor(
    `the set-aside copy of ${originalMessageId}`,
    async () => {
      const out = await env.stack.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: env.stack.services.queueUrls.requestsDlq,
          MessageAttributeNames: ['All'],
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 1,
        }),
      );
      return out.Messages?.find(
        (m) => m.MessageAttributes?.originalMessageId?.StringValue === originalMessageId,
      );
    },
    (m) => m !== undefined,
    10_000,
  );
  return {
    body: found?.Body ?? '',
    reason: found?.MessageAttributes?.deadLetterReason?.StringValue ?? '',
  };
}

const requestFor = (taskId: string, ThingName: string) => ({
  taskId,
  provisioningTemplateId: 'aws-certificate',
  parameters: { ThingName },
});

describe('the requests DLQ handler', () => {
  it("sets aside a request whose task id is a different request's finished task, which it leaves alone", async () => {
    const taskId = `dl-${randomUUID()}`;
    const theirs = newTask(
      taskId,
      { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'theirs-1' } },
      { source: 'queue', ttlSeconds: 3600, error: DEAD_LETTERED },
    );
    await env.stack.services.tasks.create(theirs);
    const mine = inboundMessage(requestFor(taskId, 'mine-1'));

    expect(await handleDeadLetter(mine, env.stack.services)).toBe('done');

    const copy = await setAside(mine.messageId);
    expect(JSON.parse(copy.body)).toEqual(requestFor(taskId, 'mine-1'));
    expect(copy.reason).toContain(`Task id '${taskId}' is already used by a different request`);
    expect(await env.stack.services.tasks.require(taskId)).toMatchObject({
      requestHash: theirs.requestHash,
      status: 'FAILED',
    });
  });

  it("sets aside a request whose task id is a different request's open task, and does not fail that task", async () => {
    const taskId = await recordTask(env.stack, {
      provisioningTemplateId: 'aws-certificate',
      parameters: { ThingName: 'theirs-2' },
    });
    const mine = inboundMessage(requestFor(taskId, 'mine-2'));

    expect(await handleDeadLetter(mine, env.stack.services)).toBe('done');

    expect((await setAside(mine.messageId)).reason).toContain('already used by a different request');
    expect(await env.stack.services.tasks.require(taskId)).toMatchObject({ status: 'PENDING' });
  });

  it('sets aside a reference to a task that does not exist, recording no task', async () => {
    const taskId = randomUUID();
    const reference = inboundMessage({ taskId });

    expect(await handleDeadLetter(reference, env.stack.services)).toBe('done');

    const copy = await setAside(reference.messageId);
    expect(JSON.parse(copy.body)).toEqual({ taskId });
    expect(copy.reason).toContain(taskId);
    expect(await env.stack.services.tasks.get(taskId)).toBeUndefined();
  });

  it('accounts for a dead request by the task recorded for that same request, and deletes it', async () => {
    const taskId = `dl-${randomUUID()}`;
    const first = inboundMessage(requestFor(taskId, 'same-1'));
    expect(await handleDeadLetter(first, env.stack.services)).toBe('done');
    // A second copy of the same request (SQS delivers at least once) finds that task: no set-aside.
    expect(await handleDeadLetter(inboundMessage(requestFor(taskId, 'same-1')), env.stack.services)).toBe(
      'done',
    );
    expect(await env.stack.services.tasks.require(taskId)).toMatchObject({
      status: 'FAILED',
      error: { code: 'MESSAGE_DEAD_LETTERED' },
    });
  });
});
