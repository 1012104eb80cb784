import type { ProvisionRequest } from '../../tasks/request.js';
import type { CdfBlock, CertificateModeName, InjectedParameters } from '../../templates/cdf-block.js';
import type { ProvisioningContext } from '../context.js';

/**
 * CDF's certificate pre-steps, in two halves that never share a bundle: the check the API (and a
 * worker admitting an upstream message) runs before a task is recorded, and the run the worker
 * makes. A check reads; a run makes (or registers) the device certificate before the template is
 * expanded and hands the template the parameters the mode injects (CERTIFICATE_MODE_INJECTS).
 */

/** Submit-time checks (throw InvalidInputError) so a request that cannot work never queues. */
export type ModeCheck = (request: ProvisionRequest, cdf: CdfBlock) => void | Promise<void>;

/** Makes the certificate, or picks up the one the checkpoint already records. */
export type ModeRun<N extends CertificateModeName> = (
  ctx: ProvisioningContext,
  cdf: CdfBlock,
) => Promise<InjectedParameters<N>>;

/** The modes a deployment offers; a template naming another is refused (CERTIFICATE_MODE_UNAVAILABLE). */
export type ModeChecks = Partial<Record<CertificateModeName, ModeCheck>>;
export type ModeRuns = { [N in CertificateModeName]?: ModeRun<N> };
