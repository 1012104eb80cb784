import { unlessGone } from '../../aws/unless-gone.js';
import { AttachPolicyCommand, CreatePolicyCommand, GetPolicyCommand } from '@aws-sdk/client-iot';
import { createHash } from 'node:crypto';
import { policyArnOf } from '../../aws/arn.js';
import { awsCall } from '../../aws/classify-error.js';
import { present } from '../../aws/present.js';
import { ConflictError, NotFoundError, TransientError } from '../../errors.js';
import type { Checkpoint } from '../../tasks/model.js';
import type { ExpandedPolicy } from '../../templates/types.js';
import type { ProvisioningContext } from '../context.js';
import type { Creation } from '../policy-directory.js';
import { MissingResourceError } from '../errors.js';

type PolicyCheckpoint = Checkpoint['policies'][string];

/** A policy given only a document is named, as AWS does, by the SHA-256 of the document. */
export const policyNameOf = (spec: ExpandedPolicy): string =>
  spec.policyName ??
  createHash('sha256')
    .update(spec.policyDocument ?? '')
    .digest('hex');

/**
 * An `AWS::IoT::Policy`: a name alone refers to an existing policy; a document creates one, named
 * by the template or by its document's hash, so identical documents share one policy and a
 * redelivery finds the policy it made instead of making another. Policies this process has seen
 * are not looked up again (PolicyDirectory); a new one is created with no look-up first (the
 * create answers "already exists" just as well). The policy is this task's own if its create
 * made it, or if an earlier run of the task planned it (and stopped after creating it).
 */
export async function ensurePolicy(
  ctx: ProvisioningContext,
  spec: ExpandedPolicy,
): Promise<PolicyCheckpoint> {
  const policyName = policyNameOf(spec);
  const document = spec.policyDocument;
  let checkpoint: PolicyCheckpoint;
  if (document === undefined) {
    const policyArn = ctx.policies.arnOf(policyName) ?? (await lookUp(ctx, policyName));
    if (policyArn === undefined) {
      throw new MissingResourceError(
        'POLICY_NOT_FOUND',
        `Policy '${policyName}' does not exist; create it, or give the template's policy a PolicyDocument`,
      );
    }
    checkpoint = { created: false, policyName, policyArn };
  } else {
    const plannedEarlier = ctx.earlier.plan?.policies.includes(policyName) === true;
    const known = ctx.policies.arnOf(policyName);
    if (known !== undefined) {
      checkpoint = { created: plannedEarlier, policyName, policyArn: known };
    } else {
      if (!ctx.plan.policies.includes(policyName)) {
        await ctx.record({ plan: { ...ctx.plan, policies: [...ctx.plan.policies, policyName] } });
      }
      await ctx.keepLease();
      const made = await ctx.policies.create(policyName, () => createPolicy(ctx, policyName, document));
      checkpoint = { created: made.created || plannedEarlier, policyName, policyArn: made.policyArn };
    }
  }
  ctx.checkpoint.policies[spec.logicalId] = checkpoint;
  return checkpoint;
}

/**
 * Attaches a policy to the certificate (a repeat is harmless). "Not found" means the policy went
 * away after this process last saw it (it is looked up afresh from now on; one with a document is
 * made again on the next delivery), or the certificate did.
 */
export async function attachPolicy(
  ctx: ProvisioningContext,
  policy: { policyName: string; documented: boolean },
  certificateArn: string,
): Promise<void> {
  const { policyName } = policy;
  await ctx.keepLease();
  try {
    await awsCall(`attaching policy '${policyName}' to the certificate`, () =>
      ctx.iot.send(new AttachPolicyCommand({ policyName, target: certificateArn })),
    );
  } catch (e: unknown) {
    if (!(e instanceof NotFoundError)) throw e;
    ctx.policies.forget(policyName);
    if ((await lookUp(ctx, policyName)) !== undefined) {
      throw new MissingResourceError(
        'CERTIFICATE_NOT_FOUND',
        `The device certificate ${certificateArn} no longer exists`,
        {
          cause: e,
        },
      );
    }
    if (policy.documented) {
      throw new TransientError(
        'POLICY_GONE',
        `Policy '${policyName}' was deleted meanwhile; it is made again`,
        {
          cause: e,
        },
      );
    }
    throw new MissingResourceError('POLICY_NOT_FOUND', `Policy '${policyName}' does not exist; create it`, {
      cause: e,
    });
  }
}

async function createPolicy(
  ctx: ProvisioningContext,
  policyName: string,
  policyDocument: string,
): Promise<Creation> {
  try {
    const out = await awsCall(`creating policy '${policyName}'`, () =>
      ctx.iotCreate.send(new CreatePolicyCommand({ policyName, policyDocument })),
    );
    return { policyArn: present(out.policyArn, 'policyArn'), created: true };
  } catch (e: unknown) {
    if (!(e instanceof ConflictError)) throw e;
    // Another task made it first; its ARN follows from its name.
    return {
      policyArn: policyArnOf(policyName, { region: ctx.region, accountId: await ctx.accountId() }),
      created: false,
    };
  }
}

async function lookUp(ctx: ProvisioningContext, policyName: string): Promise<string | undefined> {
  const out = await unlessGone(() =>
    awsCall(`reading policy '${policyName}'`, () => ctx.iot.send(new GetPolicyCommand({ policyName }))),
  );
  if (out === undefined) return undefined;
  const policyArn = present(out.policyArn, 'policyArn');
  ctx.policies.remember(policyName, policyArn);
  return policyArn;
}
