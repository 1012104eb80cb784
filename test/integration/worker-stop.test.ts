import { describe, expect, it } from '@jest/globals';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { useStack } from '../support/stack.js';
import { recordTask } from '../support/tasks.js';
import { waitFor } from '../support/wait.js';

/**
 * The long-running workers long-poll (20 s, as they run in production), yet stop promptly: an
 * idle poll is ended, not waited out, while a message being worked on finishes and is deleted.
 * (A poll ended by the client may still take a message that arrives before the emulator's 20 s
 * are over, hiding it for its visibility timeout: so the test that sends a message comes first.)
 */
const LONG_POLL = { pollSeconds: 20 };
const env = useStack();

const messagesOnQueue = async () => {
  const out = await env.stack.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: env.stack.services.queueUrls.requests,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
};

describe('stopping the queue workers', () => {
  it('lets the message in hand finish and deletes it', async () => {
    const taskId = await recordTask(env.stack, {
      provisioningTemplateId: 'aws-certificate',
      parameters: { ThingName: 'stopping-worker-1' },
    });
    const workers = env.stack.startWorkers(LONG_POLL);
    try {
      await env.stack.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: env.stack.services.queueUrls.requests,
          MessageBody: JSON.stringify({ taskId }),
        }),
      );
      await waitFor(
        'the task to be under way',
        () => env.stack.services.tasks.require(taskId),
        (t) => t.status !== 'PENDING',
      );
    } finally {
      await workers.stop();
    }
    expect((await env.stack.services.tasks.require(taskId)).status).toBe('SUCCEEDED');
    expect(await messagesOnQueue()).toBe(0);
  });

  it('poll an idle queue about once every 20 s, and end those polls at once when stopped', async () => {
    let receives = 0;
    env.stack.clients.sqs.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'ReceiveMessageCommand') receives += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countReceives' },
    );
    const workers = env.stack.startWorkers(LONG_POLL);
    await new Promise((r) => setTimeout(r, 4000));
    const stopping = Date.now();
    await workers.stop();
    env.stack.clients.sqs.middlewareStack.remove('countReceives');
    expect(Date.now() - stopping).toBeLessThan(5_000);
    // One poll per queue (four queues) in those four seconds, not several a second each.
    expect(receives).toBeLessThanOrEqual(4);
  });
});
