import { describeError } from '../src/errors.js';
import type { LifecycleRuntime } from './lifecycle-compose.js';

export interface RunningTimer {
  stop(): Promise<void>;
}

/** The shortest time a tick is given, however short the period (tests use fractions of a second). */
const MIN_BUDGET_MS = 5_000;

/**
 * The certificate lifecycle's schedule in the long-running worker: a tick every
 * LIFECYCLE_TICK_SECONDS, the next one starting a period after the last one ended, so ticks of one
 * process never overlap (those of several processes may: every step is claimed). What is due
 * lives in the table, so a restarted worker picks up whatever a stopped one left. `stop` waits for
 * a tick under way.
 */
export function startLifecycleTimer(runtime: LifecycleRuntime): RunningTimer {
  const periodMs = runtime.config.lifecycle.tickSeconds * 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().finally(schedule);
    }, periodMs);
  };
  const runOnce = async () => {
    try {
      await runtime.tick(Date.now() + Math.max(periodMs, MIN_BUDGET_MS));
    } catch (e: unknown) {
      // Logged part by part by the tick; the next tick tries again.
      runtime.logger.warn('lifecycle tick failed', { error: describeError(e) });
    }
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
