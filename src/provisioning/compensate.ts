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
 * Removes what this task created, newest first, after a permanent failure: the certificate it
 * recorded, and what this run made or, where this run did not get that far, what an earlier run
 * planned to make (and may have made before it stopped). An existing thing, a shared policy
 * another task made or a certificate the caller registered earlier are only detached. Transient
 * errors propagate (the message comes back and compensation resumes); anything else is reported
 * as left behind rather than hidden.
 */
export async function compensate(ctx: ProvisioningContext): Promise<string[]> {
  const { certificate } = ctx.checkpoint;
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
  const earlier = ctx.earlier.plan;
  const thing =
    ctx.checkpoint.thing ??
    (earlier?.thing === undefined
      ? undefined
      : { thingName: earlier.thing.thingName, created: earlier.thing.creates });
  const reached = new Map(Object.values(ctx.checkpoint.policies).map((p) => [p.policyName, p.created]));
  const policies = new Map(reached);
  for (const name of earlier?.policies ?? []) if (!reached.has(name)) policies.set(name, true);

  if (thing !== undefined && certificateArn !== '') {
    await step(`detaching the certificate from thing '${thing.thingName}'`, () =>
      ctx.iot.send(
        new DetachThingPrincipalCommand({ thingName: thing.thingName, principal: certificateArn }),
      ),
    );
  }
  for (const [policyName, created] of policies) {
    if (certificateArn !== '') {
      await step(`detaching policy '${policyName}'`, () =>
        ctx.iot.send(new DetachPolicyCommand({ policyName, target: certificateArn })),
      );
    }
    if (created && !(await policyInUse(ctx, policyName))) {
      ctx.policies.forget(policyName);
      await step(`deleting policy '${policyName}'`, () =>
        ctx.iot.send(new DeletePolicyCommand({ policyName })),
      );
    }
  }
  // Not registered yet as far as the task knows: the id is the one AWS derives from the DER.
  if (certificate?.created === true && certificate.certificateId !== '') {
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
