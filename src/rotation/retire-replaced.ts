import { ServiceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ReplacedCertificates } from '../provisioning/replaced-certificates.js';
import { RETIREMENT_STATUSES, type RotationOutcome } from '../tasks/rotation.js';

/** A retirement as src/retirement/ answers it (its API's `Retirement` schema). */
export interface RetirementState {
  status: string;
  retireAt?: string;
  retiredAt?: string;
  deleteAt?: string;
  reason?: string;
}

/**
 * What rotation uses of certificate retirement (src/retirement/retirements.ts): retire now, and
 * schedule a retirement, both idempotent (a certificate has one schedule; a repeat by the same
 * requester is answered the schedule it made).
 */
export interface RetirementPort {
  retireNow(request: { thingName: string; certificateId: string }): Promise<RetirementState>;
  schedule(request: {
    thingName: string;
    certificateId: string;
    at: Date;
    requestedBy?: string;
  }): Promise<{ created: boolean; retirement: RetirementState }>;
}

/**
 * A rotation's last step, once its new certificate is ACTIVE and attached: the replaced one is
 * retired now, scheduled for retirement after the grace period (from now), or kept. Retirement's
 * rules still hold: a certificate another thing also uses, or one no longer attached, is not
 * retired; that refusal does not undo the rotation (the device has its new certificate either
 * way) but is its outcome, `BLOCKED` with the rule's code and message, as a scheduled retirement
 * refused at its time is. Anything that may work later (throttling) is thrown: the rotation's
 * message comes back, and a repeat finds the retirement done or scheduled already.
 */
export function retireReplaced(deps: { retirements: RetirementPort; logger: Logger }): ReplacedCertificates {
  return {
    async retireReplaced(rotation, taskId) {
      const { thingName } = rotation;
      const { certificateId } = rotation.replaces;
      const outcome = (retirement: RotationOutcome['retirement']): RotationOutcome => ({
        replacedCertificateId: certificateId,
        retirement,
      });
      if (rotation.retire === 'never') return outcome({ status: 'KEPT' });
      try {
        if (rotation.retire === 'now') {
          return outcome(stateOf(await deps.retirements.retireNow({ thingName, certificateId })));
        }
        const at = new Date(Date.now() + rotation.retire.afterSeconds * 1000);
        const { retirement } = await deps.retirements.schedule({
          thingName,
          certificateId,
          at,
          requestedBy: taskId,
        });
        return outcome(stateOf(retirement));
      } catch (e: unknown) {
        if (!(e instanceof ServiceError) || e.kind === 'transient' || e.kind === 'internal') throw e;
        deps.logger.warn('replaced certificate not retired', { taskId, certificateId, code: e.code });
        return outcome({ status: 'BLOCKED', code: e.code, reason: e.message });
      }
    },
  };
}

function stateOf(state: RetirementState): RotationOutcome['retirement'] {
  const status = RETIREMENT_STATUSES.find((s) => s === state.status) ?? 'BLOCKED';
  return {
    status,
    ...(state.retireAt !== undefined ? { retireAt: state.retireAt } : {}),
    ...(state.retiredAt !== undefined ? { retiredAt: state.retiredAt } : {}),
    ...(state.deleteAt !== undefined ? { deleteAt: state.deleteAt } : {}),
    ...(state.reason !== undefined ? { reason: state.reason } : {}),
  };
}
