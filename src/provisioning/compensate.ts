import { unlessGone } from '../aws/unless-gone.js';
import {
  DeleteCertificateCommand,
  DeletePolicyCommand,
  DeleteThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  ListTargetsForPolicyCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { awsCall } from '../aws/classify-error.js';
import { TransientError, describeError } from '../errors.js';
import type { ProvisioningContext } from './context.js';

/**
 * Removes what this task created, newest first, after a permanent failure. Only resources the
 * checkpoint marks `created` are deleted: an existing thing, a shared policy or a certificate the
 * caller registered earlier are only detached. Transient errors propagate (the message comes back
 * and compensation resumes); anything else is reported as left behind rather than hidden.
 */
export async function compensate(ctx: ProvisioningContext): Promise<string[]> {
  const { thing, certificate, policies } = ctx.checkpoint;
  const leftBehind: string[] = [];
  const step = async (what: string, call: () => Promise<unknown>): Promise<void> => {
    try {
      await unlessGone(() => awsCall(what, call));
    } catch (e: unknown) {
      if (e instanceof TransientError) throw e;
      ctx.logger.warn('compensation step failed', { step: what, error: describeError(e) });
      leftBehind.push(what);
    }
  };
  const certificateArn = certificate?.certificateArn ?? '';

  if (thing !== undefined && certificateArn !== '') {
    await step(`detaching the certificate from thing '${thing.thingName}'`, () =>
      ctx.iot.send(
        new DetachThingPrincipalCommand({ thingName: thing.thingName, principal: certificateArn }),
      ),
    );
  }
  for (const policy of Object.values(policies)) {
    if (certificateArn !== '') {
      await step(`detaching policy '${policy.policyName}'`, () =>
        ctx.iot.send(new DetachPolicyCommand({ policyName: policy.policyName, target: certificateArn })),
      );
    }
    if (policy.created && !(await policyInUse(ctx, policy.policyName))) {
      await step(`deleting policy '${policy.policyName}'`, () =>
        ctx.iot.send(new DeletePolicyCommand({ policyName: policy.policyName })),
      );
    }
  }
  if (certificate?.created === true) {
    const certificateId = certificate.certificateId;
    await step(`deactivating certificate '${certificateId}'`, () =>
      ctx.iot.send(new UpdateCertificateCommand({ certificateId, newStatus: 'INACTIVE' })),
    );
    await step(`deleting certificate '${certificateId}'`, () =>
      ctx.iot.send(new DeleteCertificateCommand({ certificateId, forceDelete: true })),
    );
  }
  if (thing?.created === true) {
    await step(`deleting thing '${thing.thingName}'`, () =>
      ctx.iot.send(new DeleteThingCommand({ thingName: thing.thingName })),
    );
  }
  return leftBehind;
}

/** A policy another device attached meanwhile (same document, same name) must survive. */
async function policyInUse(ctx: ProvisioningContext, policyName: string): Promise<boolean> {
  const out = await unlessGone(() =>
    awsCall(`listing the targets of policy '${policyName}'`, () =>
      ctx.iot.send(new ListTargetsForPolicyCommand({ policyName, pageSize: 1 })),
    ),
  );
  return (out?.targets ?? []).length > 0;
}
