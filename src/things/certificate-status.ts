import { UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { classifyAwsError } from '../aws/classify-error.js';
import { CertificateStatusLockedError, CertificateStatusPartialError, ThingNotFoundError } from './errors.js';
import { describeThing, readCertificate, type ThingReadDeps } from './get-thing.js';
import { unlessGone } from '../aws/unless-gone.js';
import { iotLists } from '../aws/iot-lists.js';
import type { PatchCertificateRequest } from './schemas.js';
import { certificateIdOf, checkThingName } from './thing-name.js';

export type SettableStatus = 'ACTIVE' | 'INACTIVE' | 'REVOKED';

/** CDF's schema spelt INACTIVE as `IN_ACTIVE`; its clients still send that. */
export function settableStatus(requested: PatchCertificateRequest['certificateStatus']): SettableStatus {
  return requested === 'IN_ACTIVE' ? 'INACTIVE' : requested;
}

export interface StatusOutcome {
  changed: string[];
  /** Already had the status. */
  unchanged: string[];
}

/**
 * `PATCH /things/{thingName}/certificates`: gives every certificate attached to the thing one
 * status. AWS has no transaction for this, so it is made all-or-nothing from the caller's view:
 * what AWS would refuse (leaving REVOKED, a certificate in transfer) is refused before anything
 * changes; certificates that already have the status are left alone, so a repeated request only
 * does what is missing; and a failure part way reports exactly which certificates were changed.
 * Changed certificates are not rolled back: undoing a deactivation or revocation because another
 * certificate failed would reopen the access its caller meant to close.
 */
export async function setCertificateStatus(
  thingName: string,
  status: SettableStatus,
  deps: ThingReadDeps,
): Promise<StatusOutcome> {
  checkThingName(thingName);
  await describeThing(deps.iot, thingName);
  const principals = await unlessGone(() => iotLists(deps.iot, deps.pageSize).thingPrincipals(thingName));
  if (principals === undefined) throw new ThingNotFoundError(thingName);
  const certificates = (
    await Promise.all(
      principals.flatMap((p) => certificateIdOf(p) ?? []).map((id) => readCertificate(deps.iot, id)),
    )
  ).filter((c) => c !== undefined);

  for (const { certificateId, certificateStatus } of certificates) {
    if (certificateStatus === status) continue;
    if (certificateStatus === 'REVOKED' || certificateStatus === 'PENDING_TRANSFER') {
      throw new CertificateStatusLockedError(certificateId, certificateStatus, status);
    }
  }

  const outcome: StatusOutcome = { changed: [], unchanged: [] };
  const pending = certificates.filter((c) => c.certificateStatus !== status).map((c) => c.certificateId);
  outcome.unchanged = certificates.filter((c) => c.certificateStatus === status).map((c) => c.certificateId);
  // One at a time, so that a failure leaves a clear line between changed and not changed.
  for (const [i, certificateId] of pending.entries()) {
    try {
      await deps.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: status }));
    } catch (e: unknown) {
      const error = classifyAwsError(e, `setting certificate ${certificateId} to ${status}`);
      if (outcome.changed.length === 0) throw error;
      throw new CertificateStatusPartialError(thingName, status, outcome.changed, pending.slice(i), error);
    }
    outcome.changed.push(certificateId);
  }
  return outcome;
}
