import type { CdfBlock } from '../cdf-block.js';
import type { ProvisioningContext } from '../context.js';
import type { ProvisionRequest } from '../../tasks/request.js';

/**
 * One of CDF's certificate pre-steps. It makes (or registers) the device certificate before the
 * template is expanded, and hands the template the parameters it needs to refer to it. Values it
 * injects overwrite caller parameters of the same name, as in CDF.
 */
export interface CertificateMode {
  /** Template parameters this mode supplies, so callers need not send them. */
  readonly injects: readonly string[];
  /** Submit-time checks (throw InvalidInputError) so a request that cannot work never queues. */
  validate(request: ProvisionRequest, cdf: CdfBlock): void | Promise<void>;
  /** Makes the certificate, or picks up the one the checkpoint already records. */
  run(ctx: ProvisioningContext, cdf: CdfBlock): Promise<Record<string, string>>;
}
