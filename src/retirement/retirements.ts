import type { Static } from 'typebox';
import { InvalidInputError } from '../errors.js';
import type { Retirement } from '../inventory/schemas.js';
import { checkThingName } from '../things/thing-name.js';
import { RetirementTimeInvalidError } from './errors.js';
import type { ScheduledRetirement } from './model.js';
import {
  checkCertificateId,
  retireCertificate,
  type RetireDeps,
  type RetireRequest,
} from './retire-certificate.js';
import type { ScheduleStore } from './schedule-store.js';

/** What a caller is told about a certificate's retirement (the API's `Retirement` schema). */
export type RetirementView = Static<typeof Retirement>;

/**
 * Retirement as other features use it (rotation, issue 12 part B): retire now, or schedule a
 * retirement at a time. Both are idempotent: retiring a retired certificate changes nothing, and
 * a certificate has one schedule, so a redelivered request schedules once.
 */
export interface Retirements {
  /** Retires now (see retire-certificate.ts for the rules), then schedules its deletion if configured. */
  retireNow(request: RetireRequest): Promise<RetirementView>;
  /**
   * Schedules the retirement for `at` (a time past is due at the next tick). If the certificate
   * has a retirement or deletion scheduled already, or `requestedBy` scheduled one before, that
   * one is returned unchanged (`created: false`). Nothing is checked in AWS IoT now: the rules
   * apply when it is due, and a refusal then is recorded as BLOCKED with the reason.
   */
  schedule(request: {
    thingName: string;
    certificateId: string;
    at: Date;
    requestedBy?: string;
  }): Promise<{ created: boolean; retirement: RetirementView }>;
}

export interface RetirementsDeps extends RetireDeps {
  schedule: ScheduleStore;
  /** RETIRED_CERTIFICATE_DELETE_DAYS; undefined: retired certificates are never deleted. */
  deleteAfterDays: number | undefined;
}

const DAY_MS = 86_400_000;

export function deleteTime(retiredAt: string, days: number | undefined): string | undefined {
  return days === undefined ? undefined : new Date(Date.parse(retiredAt) + days * DAY_MS).toISOString();
}

export function createRetirements(deps: RetirementsDeps): Retirements {
  return {
    async retireNow(request) {
      const retired = await retireCertificate(request, deps);
      const deleteAt = deleteTime(retired.retiredAt, deps.deleteAfterDays);
      if (!retired.already) {
        await deps.schedule.afterRetirement({
          certificateId: retired.certificateId,
          thingName: retired.thingName,
          retiredAt: retired.retiredAt,
          deleteAt,
          now: deps.now().toISOString(),
        });
      }
      const scheduled = await deps.schedule.get(retired.certificateId);
      return {
        certificateId: retired.certificateId,
        thingName: retired.thingName,
        status: 'RETIRED',
        retiredAt: retired.retiredAt,
        ...(scheduled?.action === 'delete' && scheduled.state === 'SCHEDULED'
          ? { deleteAt: scheduled.dueAt }
          : {}),
      };
    },

    async schedule(request) {
      const thingName = checkThingName(request.thingName);
      const certificateId = checkCertificateId(request.certificateId);
      if (Number.isNaN(request.at.getTime())) throw new RetirementTimeInvalidError(String(request.at));
      if (request.requestedBy !== undefined && !/^[\x21-\x7e]{1,255}$/.test(request.requestedBy)) {
        throw new InvalidInputError(
          'REQUESTED_BY_INVALID',
          'requestedBy must be 1-255 visible ASCII characters',
        );
      }
      const { created, retirement } = await deps.schedule.schedule({
        certificateId,
        thingName,
        dueAt: request.at.toISOString(),
        ...(request.requestedBy !== undefined ? { requestedBy: request.requestedBy } : {}),
        now: deps.now().toISOString(),
      });
      return { created, retirement: retirementView(retirement) };
    },
  };
}

/** The schedule item as a caller reads it. */
export function retirementView(item: ScheduledRetirement): RetirementView {
  const base = { certificateId: item.certificateId, thingName: item.thingName };
  const retiredAt = item.retiredAt !== undefined ? { retiredAt: item.retiredAt } : {};
  if (item.state === 'SCHEDULED') {
    return item.action === 'retire'
      ? { ...base, status: 'SCHEDULED', retireAt: item.dueAt }
      : { ...base, status: 'RETIRED', ...retiredAt, deleteAt: item.dueAt };
  }
  if (item.state === 'BLOCKED') return { ...base, status: 'BLOCKED', reason: item.outcome ?? '' };
  if (item.action === 'delete' && item.state === 'DONE') {
    return { ...base, status: 'DELETED', ...retiredAt, ...(item.outcome ? { reason: item.outcome } : {}) };
  }
  return { ...base, status: 'RETIRED', ...retiredAt, ...(item.outcome ? { reason: item.outcome } : {}) };
}
