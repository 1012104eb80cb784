import { randomUUID } from 'node:crypto';
import { backoffMs, type RetryPolicy } from '../aws/backoff.js';
import { classifyAwsError } from '../aws/classify-error.js';
import { TransientError } from '../errors.js';
import type { Logger } from '../logger.js';
import { deleteRetired, type DeleteRetiredDeps } from './delete-retired.js';
import type { ScheduledRetirement } from './model.js';
import { retireCertificate, type RetireDeps } from './retire-certificate.js';
import { deleteTime } from './retirements.js';
import type { Finish, ScheduleStore } from './schedule-store.js';

export interface DueDeps extends Omit<RetireDeps, 'writer'>, Omit<DeleteRetiredDeps, 'writer'> {
  writer: RetireDeps['writer'] & DeleteRetiredDeps['writer'];
  schedule: ScheduleStore;
  deleteAfterDays: number | undefined;
  logger: Logger;
}

export interface DueReport {
  retired: number;
  deleted: number;
  blocked: number;
  /** Failed for now (AWS unavailable): tried again later. */
  deferred: number;
}

/** Due items taken per tick; the rest wait for the next one. */
const BATCH = 100;
/** A claim outlives any one retirement or deletion (including IoT's ~16 s consistency retries). */
const LEASE_MS = 5 * 60_000;
/** After a run that failed for now, wait before the next: 30 s, doubling, at most an hour. */
const RETRY: RetryPolicy = { attempts: Infinity, firstDelayMs: 30_000, maxDelayMs: 3_600_000 };

/**
 * Carries out what is due: each item is claimed first (one conditional write, so concurrent ticks
 * act on it once), then retired or deleted, then finished under the claim. A retirement follows
 * the same rules as one by hand, without `force`: if it would leave the device without an ACTIVE
 * certificate, or the certificate is shared, it is not done, and the item says why (BLOCKED).
 * AWS being unavailable defers the item, with backoff. Stops taking new items at `deadline`.
 */
export async function runDue(deps: DueDeps, deadline: number): Promise<DueReport> {
  const report: DueReport = { retired: 0, deleted: 0, blocked: 0, deferred: 0 };
  const owner = randomUUID();
  const due = await deps.schedule.due(deps.now().toISOString(), BATCH);
  for (const item of due) {
    if (Date.now() >= deadline) break;
    const now = deps.now().getTime();
    const claimed = await deps.schedule.claim(item, owner, now, now + LEASE_MS);
    if (claimed === undefined) continue;
    const logger = deps.logger.child({ certificateId: item.certificateId, thingName: item.thingName });
    let finish: Finish;
    try {
      finish = await carryOut(claimed, deps, logger, report);
    } catch (e: unknown) {
      const error = classifyAwsError(
        e,
        `${item.action === 'retire' ? 'retiring' : 'deleting'} certificate ${item.certificateId}`,
      );
      if (error instanceof TransientError) {
        report.deferred++;
        logger.warn('scheduled certificate work deferred', {
          action: item.action,
          code: error.code,
          error: error.message,
        });
        const retryAt = deps.now().getTime() + backoffMs(RETRY, claimed.runs);
        await deps.schedule.release(item.certificateId, owner, retryAt, {
          code: error.code,
          message: error.message,
        });
        continue;
      }
      // A rule refused it at its time (or it can never work): a person must look; it is not retried.
      report.blocked++;
      logger.warn('scheduled certificate work refused', {
        action: item.action,
        code: error.code,
        error: error.message,
      });
      finish = { kind: 'end', state: 'BLOCKED', outcome: `${error.code}: ${error.message}` };
    }
    if (!(await deps.schedule.finish(item.certificateId, owner, finish, deps.now().toISOString()))) {
      logger.warn('scheduled certificate work lost its claim; another tick finishes it', {
        action: item.action,
      });
    }
  }
  return report;
}

async function carryOut(
  item: ScheduledRetirement,
  deps: DueDeps,
  logger: Logger,
  report: DueReport,
): Promise<Finish> {
  if (item.action === 'retire') {
    const retired = await retireCertificate(
      { thingName: item.thingName, certificateId: item.certificateId },
      deps,
    );
    report.retired++;
    logger.info('certificate retired on schedule', {
      dueAt: item.dueAt,
      already: retired.already,
      runs: item.runs,
    });
    const deleteAt = deleteTime(retired.retiredAt, deps.deleteAfterDays);
    return deleteAt === undefined
      ? { kind: 'end', state: 'DONE', outcome: 'retired', retiredAt: retired.retiredAt }
      : { kind: 'then-delete', retiredAt: retired.retiredAt, deleteAt, outcome: 'retired' };
  }
  const deleted = await deleteRetired(item.certificateId, item.thingName, deps);
  if (deleted.kind === 'kept') {
    logger.info('retired certificate kept', { reason: deleted.reason });
    return { kind: 'end', state: 'KEPT', outcome: `not deleted: ${deleted.reason}` };
  }
  report.deleted++;
  logger.info(
    'retired certificate deleted',
    deleted.kind === 'deleted' ? { policiesDeleted: deleted.policiesDeleted } : { alreadyGone: true },
  );
  return {
    kind: 'end',
    state: 'DONE',
    outcome: deleted.kind === 'gone' ? 'deleted (it was gone already)' : 'deleted',
  };
}
