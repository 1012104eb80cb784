import { describe, expect, it } from '@jest/globals';
import { POLL_BACKOFF, PollBackoff } from '../../../workers/poll-backoff.js';

/** Receives that fail `n` times in a row: each `beforeReceive` not followed by `received`. */
async function failReceives(backoff: PollBackoff, n: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < n; i++) {
    await backoff.beforeReceive();
    waits.push(backoff.delayMs);
  }
  return waits;
}

describe('PollBackoff', () => {
  it('waits longer after each failed receive, up to its cap, and not at all after one that answered', async () => {
    const backoff = new PollBackoff({ firstDelayMs: 1, maxDelayMs: 8 }, () => 1);
    expect(backoff.delayMs).toBe(0);
    // The wait before receive k+1 once k receives in a row have failed.
    expect(await failReceives(backoff, 7)).toEqual([0, 1, 2, 4, 8, 8, 8]);
    backoff.received();
    expect(backoff.delayMs).toBe(0);
    await backoff.beforeReceive();
    backoff.received();
    expect(await failReceives(backoff, 3)).toEqual([0, 1, 2]);
  });

  it('jitters each wait between half and all of it', async () => {
    const low = new PollBackoff({ firstDelayMs: 2, maxDelayMs: 8 }, () => 0);
    expect(await failReceives(low, 4)).toEqual([0, 1, 2, 4]);
  });

  it("the service's policy: 0.2 s after a failure, 5 s at most", () => {
    expect(POLL_BACKOFF).toEqual({ firstDelayMs: 200, maxDelayMs: 5_000 });
  });

  it('stop ends a wait at once', async () => {
    const backoff = new PollBackoff({ firstDelayMs: 600_000, maxDelayMs: 600_000 });
    await backoff.beforeReceive();
    const waiting = backoff.beforeReceive(); // the first failed: this one would wait 5-10 minutes
    backoff.stop();
    await expect(waiting).resolves.toBeUndefined();
  });
});
