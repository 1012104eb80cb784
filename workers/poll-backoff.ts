import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs, type RetryPolicy } from '../src/aws/backoff.js';

/** 0.2 s after the first failed receive, doubling to at most 5 s (each with jitter). */
export const POLL_BACKOFF: Omit<RetryPolicy, 'attempts'> = { firstDelayMs: 200, maxDelayMs: 5_000 };

/**
 * Paces one consumer's receives while SQS fails. sqs-consumer polls again at once after a failed
 * receive (it pauses only for credential and missing-queue errors), so with SQS out of reach the
 * consumers spun, logging an error each time. Called before every receive (`beforeReceive`) and
 * after every one that answered (`received`), it counts the failures in a row in between and waits
 * longer after each; the first receive that answers resets it.
 */
export class PollBackoff {
  private failures = 0;
  private receiving = false;
  private readonly stopping = new AbortController();

  constructor(
    private readonly policy = POLL_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before the next receive: none until one has failed. */
  get delayMs(): number {
    return this.failures === 0 ? 0 : backoffMs({ ...this.policy, attempts: 0 }, this.failures, this.random);
  }

  /** Before a receive: the previous one failed if it never reached `received`. */
  async beforeReceive(): Promise<void> {
    if (this.receiving) this.failures++;
    this.receiving = true;
    const wait = this.delayMs;
    if (wait > 0 && !this.stopping.signal.aborted) {
      await sleep(wait, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }

  received(): void {
    this.receiving = false;
    this.failures = 0;
  }

  /** Ends a wait at once, so stopping the consumer is not held up by an outage. */
  stop(): void {
    this.stopping.abort();
  }
}
