import { InternalError } from '../errors.js';
import type { Checkpoint, ProvisionResult } from '../tasks/model.js';
import { expandTemplate } from '../templates/expand.js';
import type { TemplateStore } from '../templates/template-store.js';
import type { ModeRuns } from './certificate-modes/certificate-mode.js';
import type { ProvisioningContext } from './context.js';
import type { Preparation } from './prepare.js';
import { runPostSteps } from './post-steps/index.js';
import { attachCertificateToThing } from './steps/attach.js';
import { ensureCertificate } from './steps/certificate.js';
import { attachPolicy, ensurePolicy } from './steps/policies.js';
import { describeThing, ensureThing } from './steps/thing.js';

export interface ProvisioningDeps {
  templates: TemplateStore;
  runs: ModeRuns;
  region: string;
  accountId: () => Promise<string>;
}

/**
 * One device under the task's lease, after the claim recorded what `prepare` made: the rest of the
 * CDF certificate pre-step, the template's certificate, thing and policies, then the attachments
 * AWS makes implicitly between them. Nothing is written until the result: each step is found
 * again by name (the thing, the policies) or was recorded by the claim (the certificate), and the
 * claim's plan says which of them this task made.
 */
export async function provision(
  ctx: ProvisioningContext,
  deps: ProvisioningDeps,
  preparation: Preparation,
): Promise<{ checkpoint: Checkpoint; result: ProvisionResult }> {
  const template = preparation.template;
  if (template === undefined) throw new InternalError('TEMPLATE_NOT_PREPARED', 'The run has no template');
  const { cdf, certificateMode } = template;

  let injected: Record<string, string> = {};
  if (certificateMode !== undefined) {
    const run = deps.runs[certificateMode];
    if (run === undefined) {
      throw new InternalError(
        'CERTIFICATE_MODE_UNAVAILABLE',
        `Certificate mode '${certificateMode}' is not configured here`,
      );
    }
    await ctx.keepLease();
    injected = await run.run(ctx, cdf);
  }

  const expanded =
    preparation.expanded ??
    expandTemplate(template.parsed, ctx.request.parameters, {
      region: deps.region,
      accountId: await deps.accountId(),
      injected,
      certificateId: ctx.checkpoint.certificate?.certificateId,
    });
  const certificate = expanded.certificate ? await ensureCertificate(ctx, expanded.certificate) : undefined;
  let thing;
  if (expanded.thing !== undefined) {
    const seen = preparation.thing;
    const existing =
      seen?.thingName === expanded.thing.thingName
        ? seen.description
        : await describeThing(ctx.iot, expanded.thing.thingName);
    thing = await ensureThing(ctx, expanded.thing, existing);
  }
  const policies = [];
  for (const spec of expanded.policies) {
    const policy = await ensurePolicy(ctx, spec);
    policies.push({ logicalId: spec.logicalId, documented: spec.policyDocument !== undefined, ...policy });
  }

  if (certificate !== undefined) {
    for (const policy of policies) await attachPolicy(ctx, policy, certificate.certificateArn);
    if (thing !== undefined) await attachCertificateToThing(ctx, thing.thingName, certificate.certificateArn);
  }
  await runPostSteps(
    ctx,
    cdf,
    { certificateArn: certificate?.certificateArn, thingName: thing?.thingName },
    deps,
  );

  const resourceArns: Record<string, string> = {};
  if (thing !== undefined && expanded.thing) {
    resourceArns[expanded.thing.logicalId] = thing.thingArn;
    resourceArns.thing = thing.thingArn;
  }
  if (certificate !== undefined && expanded.certificate) {
    resourceArns[expanded.certificate.logicalId] = certificate.certificateArn;
    resourceArns.certificate = certificate.certificateArn;
  }
  for (const policy of policies) resourceArns[policy.logicalId] = policy.policyArn;
  if (policies[0] !== undefined) resourceArns.policyLogicalName = policies[0].policyArn;

  return { checkpoint: ctx.checkpoint, result: { resourceArns } };
}
