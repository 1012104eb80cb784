import { setTimeout as delay } from 'node:timers/promises';
import { backoffMs, type RetryPolicy } from '../aws/backoff.js';
import { StillAttachedError } from './errors.js';

export type { RetryPolicy } from '../aws/backoff.js';

/**
 * AWS IoT applies DetachThingPrincipal and DetachPolicy asynchronously: for a while afterwards
 * DeleteThing answers `InvalidRequestException: ... is still attached to one or more principals`,
 * DeleteCertificate `DeleteConflictException: Things must be detached ...` and DeletePolicy
 * `DeleteConflictException: ... attached to one or more principals`. CDF failed the delete there;
 * these are retried with exponential backoff until they pass or the budget is spent.
 */

/** About 16 s in the worst case: well inside API Gateway's 29 s, far beyond IoT's usual lag. */
export const CONSISTENCY_RETRY: RetryPolicy = { attempts: 8, firstDelayMs: 250, maxDelayMs: 4000 };

const STILL_ATTACHED = /still attached|must be detached|attached to one or more principals/i;

/**
 * Whether IoT refused a delete only because something still looks attached. Matched on the
 * message as well as the name: AWS sends InvalidRequestException (400) for DeleteThing, and moto
 * the same name with 409.
 */
export function isStillAttached(e: unknown): boolean {
  for (let error: unknown = e; error instanceof Error; error = error.cause) {
    if (error.name === 'DeleteConflictException' && STILL_ATTACHED.test(error.message)) return true;
    if (error.name === 'InvalidRequestException' && STILL_ATTACHED.test(error.message)) return true;
  }
  return false;
}

export async function retryWhileAttached<T>(
  what: string,
  call: () => Promise<T>,
  policy: RetryPolicy = CONSISTENCY_RETRY,
  sleep: (ms: number) => Promise<unknown> = delay,
): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e: unknown) {
      if (!isStillAttached(e)) throw e;
      if (attempt >= policy.attempts) {
        throw new StillAttachedError(what, (Date.now() - started) / 1000, { cause: e });
      }
      await sleep(backoffMs(policy, attempt));
    }
  }
}
