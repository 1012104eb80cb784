import { DeleteThingCommand } from '@aws-sdk/client-iot';
import { awsCall } from '../aws/classify-error.js';
import { retryWhileAttached, type RetryPolicy } from './consistency-retry.js';
import { deletePolicyIfUnused } from './delete-policy.js';
import { CertificateStatusLockedError } from './errors.js';
import { describeThing, readCertificate, type ThingReadDeps } from './get-thing.js';
import { unlessGone } from '../aws/unless-gone.js';
import { iotLists, type IotLists } from '../aws/iot-lists.js';
import { deleteCertificate, detachPrincipal, type CertificateToDelete } from './release-certificate.js';
import { certificateIdOf, checkThingName } from './thing-name.js';

/** CDF's flags, both off by default: without them a delete removes the thing and nothing else. */
export interface ThingFeatures {
  deleteCertificates: boolean;
  /** Only acts on the policies of certificates being deleted: a kept certificate keeps its policies. */
  deletePolicies: boolean;
}

export interface ThingDeleteDeps extends ThingReadDeps {
  features: ThingFeatures;
  retry?: RetryPolicy;
}

/** What a delete did, for the log. */
export interface DeleteOutcome {
  detached: string[];
  certificatesDeleted: string[];
  /** Certificates other things still use. */
  certificatesKept: string[];
  policiesDeleted: string[];
  /** Policies something else still uses. */
  policiesKept: string[];
}

/**
 * `DELETE /things/{thingName}`: detaches every principal, deletes (by configuration) the
 * certificates no other thing uses and the policies nothing else uses, then the thing. Every step
 * treats "already gone" as done, so two concurrent deletes of one thing both succeed, and IoT's
 * eventual consistency is retried rather than reported.
 */
export async function deleteThing(thingName: string, deps: ThingDeleteDeps): Promise<DeleteOutcome> {
  checkThingName(thingName);
  await describeThing(deps.iot, thingName);
  const lists = iotLists(deps.iot, deps.pageSize);
  // Gone meanwhile: a concurrent delete has detached (and maybe deleted) everything.
  const principals = (await unlessGone(() => lists.thingPrincipals(thingName))) ?? [];
  const plans = await Promise.all(principals.map((p) => plan(p, thingName, lists, deps)));
  refuseLocked(plans);

  const outcome: DeleteOutcome = {
    detached: principals,
    certificatesDeleted: [],
    certificatesKept: [],
    policiesDeleted: [],
    policiesKept: [],
  };
  const policies = new Set<string>();
  const released = new Set<string>();
  await settled(
    plans.map(async (p) => {
      if (p.kind === 'detach') {
        await detachPrincipal(deps.iot, thingName, p.principal);
        if (p.sharedCertificateId !== undefined) outcome.certificatesKept.push(p.sharedCertificateId);
        return;
      }
      const names = await deleteCertificate(deps.iot, lists, thingName, p.certificate, deps.retry);
      outcome.certificatesDeleted.push(p.certificate.certificateId);
      released.add(p.principal);
      for (const name of names) policies.add(name);
    }),
  );

  if (deps.features.deletePolicies) {
    await settled(
      [...policies].map(async (policyName) => {
        const result = await deletePolicyIfUnused(deps.iot, lists, policyName, released, deps.retry);
        if (result === 'deleted') outcome.policiesDeleted.push(policyName);
        if (result === 'kept') outcome.policiesKept.push(policyName);
      }),
    );
  }

  await retryWhileAttached(
    `thing '${thingName}' to its principals`,
    () =>
      unlessGone(() =>
        awsCall(`deleting thing '${thingName}'`, () => deps.iot.send(new DeleteThingCommand({ thingName }))),
      ),
    deps.retry,
  );
  return outcome;
}

type Plan =
  | { kind: 'detach'; principal: string; sharedCertificateId?: string }
  | { kind: 'delete'; principal: string; certificate: CertificateToDelete };

/** A certificate is deleted only when the flag is on and no other thing uses it. */
async function plan(
  principal: string,
  thingName: string,
  lists: IotLists,
  deps: ThingDeleteDeps,
): Promise<Plan> {
  const certificateId = certificateIdOf(principal);
  if (!deps.features.deleteCertificates || certificateId === undefined) return { kind: 'detach', principal };
  const users = (await unlessGone(() => lists.principalThings(principal))) ?? [];
  if (users.some((name) => name !== thingName)) {
    return { kind: 'detach', principal, sharedCertificateId: certificateId };
  }
  const current = await readCertificate(deps.iot, certificateId);
  if (current === undefined) return { kind: 'detach', principal };
  return {
    kind: 'delete',
    principal,
    certificate: { principal, certificateId, status: current.certificateStatus },
  };
}

/** Checked before anything changes, so such a delete changes nothing. */
function refuseLocked(plans: Plan[]): void {
  for (const p of plans) {
    if (p.kind === 'delete' && p.certificate.status === 'PENDING_TRANSFER') {
      throw new CertificateStatusLockedError(p.certificate.certificateId, 'PENDING_TRANSFER', 'deleted');
    }
  }
}

/** Waits for every step (none is abandoned half way), then reports the first failure. */
async function settled(steps: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(steps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}
