import { runTask } from '../src/provisioning/run-task.js';
import { TaskId } from '../src/tasks/request.js';
import { validator } from '../src/validation.js';
import type { WorkerServices } from './compose.js';
import { DEAD_LETTER_REASON } from './dead-letter.js';
import type { InboundMessage } from './inbound-message.js';
import type { Handled } from './process-batch.js';

const taskIdShape = validator(TaskId);

/**
 * A message that SQS moved to the DLQ after too many receives: its task must not stay PENDING or
 * RUNNING forever. The task is abandoned (what it made so far is removed) and FAILED, its
 * completion event is sent, and the message is deleted: the task now records what happened.
 * Messages the worker dead-lettered itself have no task; they stay in the DLQ for a person.
 */
export async function handleDeadLetter(message: InboundMessage, services: WorkerServices): Promise<Handled> {
  if (message.attributes[DEAD_LETTER_REASON] !== undefined) return 'keep';
  const taskId = taskIdOf(message);
  const task = await services.tasks.get(taskId);
  if (task === undefined || task.status === 'SUCCEEDED' || task.status === 'FAILED') return 'done';
  await runTask(taskId, services, {
    // It was received maxReceiveCount times on the requests queue before it came here.
    delivery: { redelivered: true },
    abandon: {
      code: 'MESSAGE_DEAD_LETTERED',
      message:
        'The task failed on every delivery of its message and was moved to the dead-letter queue; see the worker logs for this task id',
      kind: 'internal',
    },
  });
  return 'done';
}

function taskIdOf(message: InboundMessage): string {
  try {
    const body = JSON.parse(message.body) as { taskId?: unknown };
    if (taskIdShape.check(body.taskId)) return body.taskId;
  } catch {
    // not JSON: an upstream message, whose task id is its message id
  }
  return message.messageId;
}
