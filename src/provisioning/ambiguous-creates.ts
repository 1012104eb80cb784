import { classifyAwsError } from '../aws/classify-error.js';
import { provedNotProcessed } from '../aws/request-outcome.js';
import { TransientError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CreateWindow, Task } from '../tasks/model.js';
import type { TaskStore } from '../tasks/task-store.js';

/**
 * The calls that make a certificate AWS cannot find again: CreateKeysAndCertificate and
 * CreateCertificateFromCsr answer with the certificate (and key) once; a lost answer leaves an
 * ACTIVE certificate nobody knows. Such a call is never repeated blindly (the client retries only
 * what provably created nothing, src/aws/create-retry-strategy.ts). When its outcome is unknown
 * (a timeout, a reset connection, a 5xx) the window it ran in is recorded on the task and the
 * task waits: once the window is settled (CERTIFICATE_SETTLE_SECONDS), the window's certificates
 * that nothing owns are removed (settle-windows.ts) and only then does the task create again.
 */
export interface UnfindableCreates {
  create<T>(call: string, send: () => Promise<T>): Promise<T>;
}

/**
 * How the next delivery covers a worker that died between such a create and the write recording
 * it: a task with no certificate recorded, on a message delivered before (a recorded task is
 * created for before its claim), or claimed by a run already when queue paths recorded it (they
 * create after that claim), may have had a certificate made for it since its last claim, or since
 * the message was first received, or since it was recorded, whichever is latest. The window ends
 * now: the message came back only because the worker holding it stopped (its heartbeat keeps it
 * hidden while it lives).
 */
export function suspectWindow(
  seen: Pick<Task, 'checkpoint' | 'attempts' | 'claimedAt' | 'createdAt' | 'source'>,
  delivery: Delivery | undefined,
  now = Date.now(),
): CreateWindow | undefined {
  if (seen.checkpoint.certificate !== undefined) return undefined;
  const claimedBeforeCreating = seen.source === 'queue' && seen.attempts > 0;
  if (!claimedBeforeCreating && delivery?.redelivered !== true) return undefined;
  const from = seen.claimedAt ?? Math.max(Date.parse(seen.createdAt), delivery?.firstReceivedAt ?? 0);
  return { from, to: now, call: 'a delivery that stopped' };
}

/** What the worker knows of the message it is running a task for. */
export interface Delivery {
  /** This message was received before: an earlier delivery may have stopped part way. */
  redelivered: boolean;
  /** Epoch ms of the message's first receive, when the queue says. */
  firstReceivedAt?: number;
}

type GuardDeps = { tasks: TaskStore; settleSeconds: number; logger: Logger };

/** Records the suspect window and sends the task away until it is settled. */
export async function waitOutSuspect(deps: GuardDeps, taskId: string, suspect: CreateWindow): Promise<never> {
  await deps.tasks.recordWindow(taskId, suspect);
  deps.logger.warn('an earlier delivery may have made a certificate', { ...suspect });
  throw new TransientError(
    'CERTIFICATE_CREATE_UNSETTLED',
    `An earlier delivery of task '${taskId}' stopped without recording its certificate; the task waits ` +
      `${deps.settleSeconds} s, removes any certificate it left and goes on`,
    { retryAfterSeconds: deps.settleSeconds },
  );
}

export function unfindableCreates(
  deps: GuardDeps,
  taskId: string,
  suspect: CreateWindow | undefined,
): UnfindableCreates {
  const settle = deps.settleSeconds;
  return {
    async create(call, send) {
      if (suspect !== undefined) await waitOutSuspect(deps, taskId, suspect);
      const from = Date.now();
      try {
        return await send();
      } catch (e: unknown) {
        if (provedNotProcessed(e)) throw classifyAwsError(e, call);
        const window = { from, to: Date.now(), call };
        await deps.tasks.recordWindow(taskId, window);
        deps.logger.warn('certificate create outcome unknown', {
          ...window,
          error: classifyAwsError(e, call).message,
        });
        throw new TransientError(
          'CERTIFICATE_CREATE_UNKNOWN',
          `AWS IoT may or may not have made the certificate while ${call}; the task waits ${settle} s, removes ` +
            'any certificate of that moment that nothing owns, and makes a new one',
          { cause: e, retryAfterSeconds: settle },
        );
      }
    },
  };
}
