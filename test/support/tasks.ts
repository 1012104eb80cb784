import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { Task } from '../../src/tasks/model.js';
import { newTask } from '../../src/tasks/new-task.js';
import type { ProvisionRequest } from '../../src/tasks/request.js';
import { handleRequestMessage } from '../../workers/handle-request.js';
import type { InboundMessage } from '../../workers/inbound-message.js';
import type { TestStack } from './stack.js';

/** Tasks recorded and delivered by hand, for tests that play the API or SQS themselves, and what they publish. */

/** Records a task as the API would after admission, without enqueueing it. */
export async function recordTask(stack: TestStack, body: ProvisionRequest): Promise<string> {
  const taskId = randomUUID();
  await stack.services.tasks.create(newTask(taskId, body, { source: 'api', ttlSeconds: 3600 }));
  return taskId;
}

/** Takes the task's lease as `owner` (a worker that then died, or one still at work), recording nothing. */
export async function claimAs(stack: TestStack, taskId: string, owner: string, leaseSeconds: number) {
  const seen = await stack.services.tasks.require(taskId);
  const claim = await stack.services.tasks.claim(seen, { owner, seconds: leaseSeconds }, {});
  if (claim.kind !== 'claimed') throw new Error(`could not claim ${taskId}: ${claim.kind}`);
  return claim.task;
}

/** A queue message as a worker receives it, on its first delivery. */
export const inboundMessage = (body: unknown, messageId = randomUUID()): InboundMessage => ({
  messageId,
  body: JSON.stringify(body),
  receiptHandle: 'not-used',
  receiveCount: 1,
  sentAt: undefined,
  attributes: {},
});

/** Delivers the task's request message to the worker once, as SQS would, and reads the task back. */
export async function deliverTask(stack: TestStack, taskId: string): Promise<Task> {
  await handleRequestMessage(inboundMessage({ taskId }), stack.services);
  return stack.services.tasks.require(taskId);
}

/** The completion events on the stack's results queue now (one receive, up to 10), parsed. */
export async function completionEvents<T = Record<string, unknown>>(stack: TestStack): Promise<T[]> {
  const out = await stack.clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: await stack.resultsQueueUrl(),
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
    }),
  );
  return (out.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as T);
}
