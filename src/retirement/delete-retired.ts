import type { IoTClient } from '@aws-sdk/client-iot';
import type { IotLists } from '../aws/iot-lists.js';
import { unlessGone } from '../aws/unless-gone.js';
import type { InventoryWriter } from '../inventory/inventory-writer.js';
import type { RetryPolicy } from '../things/consistency-retry.js';
import { deletePolicyIfUnused } from '../things/delete-policy.js';
import { readCertificate } from '../things/get-thing.js';
import { deleteCertificate } from '../things/release-certificate.js';

export interface DeleteRetiredDeps {
  iot: IoTClient;
  lists: IotLists;
  writer: Pick<InventoryWriter, 'deleted'>;
  /** FEATURES_DELETE_POLICIES: the policies only it used go with it, as for DELETE /things. */
  deletePolicies: boolean;
  now: () => Date;
  retry?: RetryPolicy;
}

export type DeleteOutcome =
  { kind: 'deleted'; policiesDeleted: string[] } | { kind: 'gone' } | { kind: 'kept'; reason: string };

/** How long the inventory keeps a deleted certificate's record. */
export const DELETED_RETENTION_DAYS = 90;

/**
 * Deletes a retired certificate once its time has come, as DELETE /things deletes one (the same
 * code: policies detached, then the certificate, retried while AWS IoT still reports it attached),
 * then, with FEATURES_DELETE_POLICIES, its policies that nothing else uses. A certificate put back
 * in service since (ACTIVE again, or attached to a thing) is kept.
 */
export async function deleteRetired(
  certificateId: string,
  thingName: string,
  deps: DeleteRetiredDeps,
): Promise<DeleteOutcome> {
  const certificate = await readCertificate(deps.iot, certificateId);
  if (certificate === undefined) {
    await markDeleted(certificateId, deps);
    return { kind: 'gone' };
  }
  if (certificate.certificateStatus === 'ACTIVE') return { kind: 'kept', reason: 'it is ACTIVE again' };
  const things = (await unlessGone(() => deps.lists.principalThings(certificate.arn))) ?? [];
  if (things.length > 0) {
    return { kind: 'kept', reason: `it is attached to ${things.map((t) => `'${t}'`).join(', ')} again` };
  }
  const principal = certificate.arn;
  const policies = await deleteCertificate(
    deps.iot,
    deps.lists,
    thingName,
    { principal, certificateId, status: certificate.certificateStatus },
    deps.retry,
  );
  const policiesDeleted: string[] = [];
  if (deps.deletePolicies) {
    for (const policyName of policies) {
      const outcome = await deletePolicyIfUnused(
        deps.iot,
        deps.lists,
        policyName,
        new Set([principal]),
        deps.retry,
      );
      if (outcome === 'deleted') policiesDeleted.push(policyName);
    }
  }
  await markDeleted(certificateId, deps);
  return { kind: 'deleted', policiesDeleted };
}

async function markDeleted(certificateId: string, deps: DeleteRetiredDeps): Promise<void> {
  const now = deps.now();
  const expiresAt = Math.floor(now.getTime() / 1000) + DELETED_RETENTION_DAYS * 86_400;
  await deps.writer.deleted(certificateId, now.toISOString(), expiresAt);
}
