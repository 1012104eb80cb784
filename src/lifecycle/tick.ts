import type { IoTClient } from '@aws-sdk/client-iot';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { IotCaCertificates } from '../provisioning/ca/ca-certificates.js';
import { advanceBackfill } from '../inventory/run-backfill.js';
import { runDue, type DueReport } from '../retirement/run-due.js';
import type { CertificateLifecycle } from './create-lifecycle.js';
import type { ExpiryFigures, ExpiryGauge } from './expiry-gauge.js';

export interface TickDeps {
  lifecycle: CertificateLifecycle;
  iot: IoTClient;
  cas: Pick<IotCaCertificates, 'certificate'>;
  /** `CA_<ALIAS>`'s AWS IoT CA ids: the backfill tells their certificates by issuer. */
  knownCaIds: readonly string[];
  gauge: ExpiryGauge;
  warningDays: number;
  deleteAfterDays: number | undefined;
  deletePolicies: boolean;
  logger: Logger;
}

export interface TickReport {
  due: DueReport;
  expiry: ExpiryFigures;
  backfill?: { jobId: string; status: string };
}

const DAY_MS = 86_400_000;

/**
 * One run of the certificate lifecycle's schedule (an EventBridge rule in AWS, a timer in the
 * long-running worker): what is due (retirements, deletions), the expiry figures, then the
 * backfill with the time left before `deadline` (epoch ms). The parts are independent: each runs
 * whatever another did, and the first failure is thrown at the end, so the tick counts as failed.
 */
export async function lifecycleTick(deps: TickDeps, deadline: number): Promise<TickReport> {
  const { lifecycle, logger } = deps;
  const failures: unknown[] = [];
  const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (e: unknown) {
      logger.error(`lifecycle tick: ${what} failed`, { error: describeError(e) });
      failures.push(e);
      return undefined;
    }
  };

  const due = await attempt('scheduled retirements', () =>
    runDue(
      {
        iot: deps.iot,
        lists: lifecycle.lists,
        reader: lifecycle.reader,
        writer: lifecycle.writer,
        schedule: lifecycle.schedule,
        deleteAfterDays: deps.deleteAfterDays,
        deletePolicies: deps.deletePolicies,
        now: lifecycle.now,
        logger,
      },
      deadline,
    ),
  );
  const expiry = await attempt('expiry figures', async () => {
    const figures = await expiryFigures(deps);
    deps.gauge.report(figures);
    return figures;
  });
  const backfill = await attempt('backfill', () =>
    advanceBackfill(
      {
        iot: deps.iot,
        lists: lifecycle.lists,
        reader: lifecycle.reader,
        writer: lifecycle.writer,
        jobs: lifecycle.jobs,
        knownCaIds: deps.knownCaIds,
        cas: deps.cas,
        logger,
        now: lifecycle.now,
      },
      deadline,
    ),
  );
  if (failures.length > 0) throw failures[0];
  return {
    due: due ?? { retired: 0, deleted: 0, blocked: 0, deferred: 0 },
    expiry: expiry ?? { expiring: 0, expired: 0, warningDays: deps.warningDays, at: '' },
    ...(backfill !== undefined ? { backfill: { jobId: backfill.jobId, status: backfill.status } } : {}),
  };
}

async function expiryFigures(deps: TickDeps): Promise<ExpiryFigures> {
  const now = deps.lifecycle.now();
  const horizon = new Date(now.getTime() + deps.warningDays * DAY_MS).toISOString();
  const [expiring, expired] = await Promise.all([
    deps.lifecycle.reader.countExpiringBefore(horizon),
    deps.lifecycle.reader.countExpiringBefore(now.toISOString()),
  ]);
  return { expiring, expired, warningDays: deps.warningDays, at: now.toISOString() };
}
