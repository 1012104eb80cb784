import { InternalError } from '../errors.js';
import type { ProvisionResult } from '../tasks/model.js';
import { expandTemplate } from '../templates/expand.js';
import type { TemplateStore } from '../templates/template-store.js';
import type { ModeRuns } from './certificate-modes/certificate-mode.js';
import type { ProvisioningContext } from './context.js';
import { runPostSteps } from './post-steps/index.js';
import { attachCertificateToThing } from './steps/attach.js';
import { ensureCertificate } from './steps/certificate.js';
import { attachPolicy, ensurePolicy } from './steps/policies.js';
import { ensureThing } from './steps/thing.js';

export interface ProvisioningDeps {
  templates: TemplateStore;
  runs: ModeRuns;
  region: string;
  accountId: () => Promise<string>;
}

/**
 * One device, start to finish: the CDF certificate pre-step, the template's certificate, thing
 * and policies, then the attachments AWS makes implicitly between them. Every step first looks at
 * the checkpoint, so running this again after a crash continues rather than repeats.
 */
export async function provision(ctx: ProvisioningContext, deps: ProvisioningDeps): Promise<ProvisionResult> {
  const template = await deps.templates.load(ctx.request.provisioningTemplateId, ctx.templateVersion);
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
    injected = await run(ctx, cdf);
  }

  const expanded = expandTemplate(template.parsed, ctx.request.parameters, {
    region: deps.region,
    accountId: await deps.accountId(),
    injected,
    certificateId: ctx.checkpoint.certificate?.certificateId,
  });
  const certificate = expanded.certificate ? await ensureCertificate(ctx, expanded.certificate) : undefined;
  const thing = expanded.thing ? await ensureThing(ctx, expanded.thing) : undefined;
  const policies = [];
  for (const spec of expanded.policies)
    policies.push({ logicalId: spec.logicalId, ...(await ensurePolicy(ctx, spec)) });

  if (certificate !== undefined) {
    for (const policy of policies) await attachPolicy(ctx, policy.policyName, certificate.certificateArn);
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

  return {
    certificatePem: certificate?.certificatePem,
    publicKey: ctx.checkpoint.certificate?.publicKey,
    resourceArns,
  };
}
