import type { CdfBlock } from '../../templates/cdf-block.js';
import type { ProvisioningContext } from '../context.js';
import { attachPolicy, ensurePolicy } from '../steps/policies.js';

type PolicyRef = Extract<NonNullable<CdfBlock['attachAdditionalPolicies']>, unknown[]>[number];

/** Both of CDF's forms: `[{name, document?}]` and `{policies: [{name, document?}]}`. */
export function additionalPolicies(cdf: CdfBlock): PolicyRef[] {
  const configured = cdf.attachAdditionalPolicies;
  if (configured === undefined) return [];
  return Array.isArray(configured) ? configured : configured.policies;
}

/**
 * The checkpoint key of a CDF policy. `cdf:` keeps it apart from the template's logical ids, and
 * `.` (legal in policy names) would split the DynamoDB document path, so it is escaped.
 */
export const postStepLogicalId = (name: string) => `cdf:${name.replaceAll('.', '%2E')}`;

/**
 * `attachAdditionalPolicies`: each named policy is attached to the device certificate; one with a
 * document is created first unless a policy of that name exists. The name is the policy's identity,
 * so a redelivery finds the policy it made (and compensation removes only what this task created).
 */
export async function attachAdditionalPolicies(
  ctx: ProvisioningContext,
  cdf: CdfBlock,
  certificateArn: string,
): Promise<void> {
  for (const ref of additionalPolicies(cdf)) {
    const document =
      ref.document === undefined || typeof ref.document === 'string'
        ? ref.document
        : JSON.stringify(ref.document);
    const policy = await ensurePolicy(ctx, {
      logicalId: postStepLogicalId(ref.name),
      policyName: ref.name,
      policyDocument: document,
    });
    await attachPolicy(
      ctx,
      { policyName: policy.policyName, documented: document !== undefined },
      certificateArn,
    );
  }
}
