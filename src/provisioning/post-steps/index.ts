import type { CdfBlock } from '../../templates/cdf-block.js';
import type { ProvisioningContext } from '../context.js';
import { ProvisioningInputError } from '../errors.js';
import { additionalPolicies, attachAdditionalPolicies } from './additional-policies.js';
import { attachClientIdPolicy } from './client-id-policy.js';

export interface PostStepTarget {
  certificateArn: string | undefined;
  thingName: string | undefined;
}

/**
 * CDF's post-steps, in CDF's order, after the template's own resources exist and are attached:
 * `clientIdMustMatchThingName`, then `attachAdditionalPolicies`. Both attach policies to the
 * device certificate, so a template using them must make one (itself or through a certificate mode).
 */
export async function runPostSteps(
  ctx: ProvisioningContext,
  cdf: CdfBlock,
  target: PostStepTarget,
  deps: { region: string; accountId: () => Promise<string> },
): Promise<void> {
  const clientId = cdf.clientIdMustMatchThingName === true;
  const policies = additionalPolicies(cdf);
  if (!clientId && policies.length === 0) return;
  const certificateArn = target.certificateArn;
  if (certificateArn === undefined || certificateArn === '') {
    throw new ProvisioningInputError(
      'CDF_POST_STEP_NEEDS_CERTIFICATE',
      "The template's CDF block attaches policies (attachAdditionalPolicies / clientIdMustMatchThingName) but the " +
        'template makes no certificate to attach them to; add an AWS::IoT::Certificate resource or a certificate mode',
    );
  }
  if (clientId) {
    if (target.thingName === undefined) {
      throw new ProvisioningInputError(
        'CDF_POST_STEP_NEEDS_THING',
        "The template's CDF block sets clientIdMustMatchThingName but the template makes no thing",
      );
    }
    const accountId = await deps.accountId();
    await attachClientIdPolicy(ctx, {
      thingName: target.thingName,
      certificateArn,
      region: deps.region,
      accountId,
    });
  }
  if (policies.length > 0) await attachAdditionalPolicies(ctx, cdf, certificateArn);
}
