import { createHash } from 'node:crypto';
import { partitionOf } from '../../aws/partition.js';
import type { ProvisioningContext } from '../context.js';
import { attachPolicy, ensurePolicy } from '../steps/policies.js';
import { postStepLogicalId } from './additional-policies.js';

const PREFIX = 'clientIdEnforcementPolicy_';
const MAX_POLICY_NAME = 128;

/** CDF's name for the thing's policy; `:` (legal in thing names, not in policy names) becomes `_`. */
export function clientIdPolicyName(thingName: string): string {
  const name = `${PREFIX}${thingName.replaceAll(':', '_')}`;
  if (name.length <= MAX_POLICY_NAME) return name;
  return `${PREFIX}${createHash('sha256').update(thingName).digest('hex').slice(0, 40)}`;
}

/** Connect is allowed only with the thing's name as the MQTT client id. */
export function clientIdPolicyDocument(thingName: string, region: string, accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: `arn:${partitionOf(region)}:iot:${region}:${accountId}:client/${thingName}`,
      },
    ],
  });
}

/**
 * `clientIdMustMatchThingName` (deprecated in CDF, kept for its templates): a per-thing policy,
 * created unless it exists, attached to the certificate. New templates should use the
 * `iot:Connection.Thing.IsAttached` policy variable instead.
 */
export async function attachClientIdPolicy(
  ctx: ProvisioningContext,
  target: { thingName: string; certificateArn: string; region: string; accountId: string },
): Promise<void> {
  const policyName = clientIdPolicyName(target.thingName);
  const policy = await ensurePolicy(ctx, {
    logicalId: postStepLogicalId(policyName),
    policyName,
    policyDocument: clientIdPolicyDocument(target.thingName, target.region, target.accountId),
  });
  await attachPolicy(ctx, { policyName: policy.policyName, documented: true }, target.certificateArn);
}
