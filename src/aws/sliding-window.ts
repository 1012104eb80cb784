/**
 * At most `limit` grants in any window of `windowMs`, counted over the grants themselves (a
 * sliding log), so no window is ever over budget: a token bucket lets its burst through on top
 * of a full second's refill after an idle spell, twice the budget in one second. Waiters are
 * served in arrival order, so a busy API cannot starve any one caller.
 */
export class SlidingWindowLimiter {
  /** The latest grants, oldest first; never more than `limit` of them. */
  private readonly grants: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a whole number ≥ 1');
  }

  take(): Promise<void> {
    // Chaining keeps FIFO order; each waiter computes its wait only when it reaches the front.
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn;
    return turn;
  }

  private async waitForSlot(): Promise<void> {
    // The oldest of the last `limit` grants must have left the window; timers may fire a little
    // early against this clock, so check again after every wait.
    for (;;) {
      const oldest = this.grants.length < this.limit ? undefined : this.grants[0];
      const waitMs = oldest === undefined ? 0 : oldest + this.windowMs - this.now();
      if (waitMs <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    this.grants.push(this.now());
    if (this.grants.length > this.limit) this.grants.shift();
  }
}
