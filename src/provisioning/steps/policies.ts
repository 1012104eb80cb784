import { unlessGone } from '../../aws/unless-gone.js';
import { AttachPolicyCommand, CreatePolicyCommand, GetPolicyCommand } from '@aws-sdk/client-iot';
import { createHash } from 'node:crypto';
import { awsCall } from '../../aws/classify-error.js';
import { present } from '../../aws/present.js';
import { ConflictError } from '../../errors.js';
import type { Checkpoint } from '../../tasks/model.js';
import type { ExpandedPolicy } from '../../templates/types.js';
import type { ProvisioningContext } from '../context.js';
import { MissingResourceError } from '../errors.js';

type PolicyCheckpoint = Checkpoint['policies'][string];

/**
 * An `AWS::IoT::Policy`: a name alone refers to an existing policy; a document creates one, named
 * (as AWS does when the template gives no name) by the SHA-256 of the document, so identical
 * documents share one policy and a redelivery finds the policy it made instead of making another.
 */
export async function ensurePolicy(
  ctx: ProvisioningContext,
  spec: ExpandedPolicy,
): Promise<PolicyCheckpoint> {
  const done = ctx.checkpoint.policies[spec.logicalId];
  if (done !== undefined && done.policyArn !== '') return done;

  const policyName =
    spec.policyName ??
    createHash('sha256')
      .update(spec.policyDocument ?? '')
      .digest('hex');
  const existingArn = await policyArn(ctx, policyName);
  let checkpoint: PolicyCheckpoint;
  if (existingArn !== undefined) {
    // `done` here is our own intent from a run that stopped right after CreatePolicy.
    checkpoint = { created: done?.created ?? false, policyName, policyArn: existingArn };
  } else if (spec.policyDocument === undefined) {
    throw new MissingResourceError(
      'POLICY_NOT_FOUND',
      `Policy '${policyName}' does not exist; create it, or give the template's policy a PolicyDocument`,
    );
  } else {
    if (done === undefined) {
      await ctx.save({
        policy: { logicalId: spec.logicalId, value: { created: true, policyName, policyArn: '' } },
      });
    }
    checkpoint = {
      created: true,
      policyName,
      policyArn: await createPolicy(ctx, policyName, spec.policyDocument),
    };
  }
  await ctx.save({ policy: { logicalId: spec.logicalId, value: checkpoint } });
  return checkpoint;
}

export async function attachPolicy(
  ctx: ProvisioningContext,
  policyName: string,
  certificateArn: string,
): Promise<void> {
  await awsCall(`attaching policy '${policyName}' to the certificate`, () =>
    ctx.iot.send(new AttachPolicyCommand({ policyName, target: certificateArn })),
  );
}

async function createPolicy(
  ctx: ProvisioningContext,
  policyName: string,
  policyDocument: string,
): Promise<string> {
  try {
    const out = await awsCall(`creating policy '${policyName}'`, () =>
      ctx.iot.send(new CreatePolicyCommand({ policyName, policyDocument })),
    );
    return present(out.policyArn, 'policyArn');
  } catch (e: unknown) {
    // Another device's task created the same shared policy a moment ago.
    if (e instanceof ConflictError) return present(await policyArn(ctx, policyName), 'policyArn');
    throw e;
  }
}

async function policyArn(ctx: ProvisioningContext, policyName: string): Promise<string | undefined> {
  const out = await unlessGone(() =>
    awsCall(`reading policy '${policyName}'`, () => ctx.iot.send(new GetPolicyCommand({ policyName }))),
  );
  return out === undefined ? undefined : present(out.policyArn, 'policyArn');
}
