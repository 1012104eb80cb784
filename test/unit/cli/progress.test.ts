import { describe, expect, it } from '@jest/globals';
import { PlainProgress } from '../../../cli/follow/plain-progress.js';
import type { Progress } from '../../../cli/follow/progress.js';
import { formatDuration, RateMeter } from '../../../cli/follow/rate.js';

const at = (done: number, extra: Partial<Progress> = {}): Progress => ({
  status: 'InProgress',
  done,
  succeeded: done,
  failed: 0,
  skipped: 0,
  total: 1000,
  rate: 20,
  etaSeconds: (1000 - done) / 20,
  ...extra,
});

/** Plain progress on a clock the test moves, its lines collected. */
function logProgress() {
  const lines: string[] = [];
  let now = 0;
  const progress = new PlainProgress(
    (l) => lines.push(l),
    'provisioning',
    30_000,
    () => now,
  );
  return { lines, progress, tick: (ms: number) => (now += ms) };
}

describe('progress for logs', () => {
  it('prints a line at every 10% and on status changes, not at every poll', () => {
    const { lines, progress, tick } = logProgress();
    for (let done = 0; done <= 1000; done += 20) {
      tick(1000);
      progress.update(at(done, done === 1000 ? { status: 'Completed', etaSeconds: 0 } : {}));
    }
    expect(lines).toHaveLength(11);
    expect(lines[1]).toBe('provisioning: InProgress 100/1000 (10%): 100 ok, 0 failed; 20/s, ETA 45s');
    expect(lines[10]).toBe('provisioning: Completed 1000/1000 (100%): 1000 ok, 0 failed; 20/s, ETA 0s');
  });

  it('shows it is alive while nothing moves', () => {
    const { lines, progress, tick } = logProgress();
    for (let i = 0; i < 90; i++) {
      tick(1000);
      progress.update(at(0, { total: undefined, status: 'Pending', rate: undefined, etaSeconds: undefined }));
    }
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('provisioning: Pending 0/?: 0 ok, 0 failed; ?/s, ETA ?');
  });
});

describe('rate and ETA', () => {
  it('follows the recent pace over a sliding window', () => {
    const meter = new RateMeter(10_000);
    meter.add(0, 0);
    expect(meter.perSecond()).toBeUndefined();
    for (let s = 1; s <= 20; s++) meter.add(s * 1000, s <= 10 ? s * 5 : 50 + (s - 10) * 20);
    expect(meter.perSecond()).toBeCloseTo(20, 5);
    expect(meter.etaSeconds(450)).toBeCloseTo(10, 5);
  });

  it('prints durations a person reads at a glance', () => {
    expect([5, 65, 3725, undefined].map(formatDuration)).toEqual(['5s', '1m05s', '1h02m', '?']);
  });
});
