import {
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  ListPolicyVersionsCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { awsCall } from '../aws/classify-error.js';
import { retryWhileAttached, type RetryPolicy } from './consistency-retry.js';
import { unlessGone } from '../aws/unless-gone.js';
import type { IotLists } from '../aws/iot-lists.js';

export type PolicyOutcome = 'deleted' | 'kept' | 'gone';

/**
 * Deletes a policy only when nothing but the certificates this request just deleted uses it: a
 * policy shared with another certificate, a thing group or an identity is kept (CDF deleted
 * those too). Those certificates are ignored in the target list because IoT may still show them
 * there for a while after they were detached. The check is repeated on every retry, so a policy
 * that someone attaches elsewhere meanwhile is kept rather than forced out.
 */
export async function deletePolicyIfUnused(
  iot: IoTClient,
  lists: IotLists,
  policyName: string,
  released: ReadonlySet<string>,
  retry?: RetryPolicy,
): Promise<PolicyOutcome> {
  return retryWhileAttached(
    `policy '${policyName}'`,
    async (): Promise<PolicyOutcome> => {
      const targets = await unlessGone(() => lists.policyTargets(policyName));
      if (targets === undefined) return 'gone';
      if (targets.some((target) => !released.has(target))) return 'kept';
      await deleteOlderVersions(iot, policyName);
      const deleted = await unlessGone(() =>
        awsCall(`deleting policy '${policyName}'`, () => iot.send(new DeletePolicyCommand({ policyName }))),
      );
      return deleted === undefined ? 'gone' : 'deleted';
    },
    retry,
  );
}

/** IoT refuses to delete a policy that still has versions besides its default one. */
async function deleteOlderVersions(iot: IoTClient, policyName: string): Promise<void> {
  const out = await unlessGone(() =>
    awsCall(`listing the versions of policy '${policyName}'`, () =>
      iot.send(new ListPolicyVersionsCommand({ policyName })),
    ),
  );
  for (const version of out?.policyVersions ?? []) {
    if (version.isDefaultVersion === true || version.versionId === undefined) continue;
    const policyVersionId = version.versionId;
    await unlessGone(() =>
      awsCall(`deleting version ${policyVersionId} of policy '${policyName}'`, () =>
        iot.send(new DeletePolicyVersionCommand({ policyName, policyVersionId })),
      ),
    );
  }
}
