import type { Envelope } from '../../crypto/envelope.js';
import type { CertificateRecord } from '../../tasks/model.js';
import type { ProvisionRequest } from '../../tasks/request.js';
import type { CdfBlock, CertificateModeName, InjectedParameters } from '../../templates/cdf-block.js';
import type { UnfindableCreates } from '../ambiguous-creates.js';
import type { ProvisioningClients, ProvisioningContext } from '../context.js';

/**
 * CDF's certificate pre-steps, in two halves that never share a bundle: the check the API (and a
 * worker admitting an upstream message) runs before a task is recorded, and the run the worker
 * makes. A check reads; a run makes (or registers) the device certificate before the template is
 * expanded and hands the template the parameters the mode injects (CERTIFICATE_MODE_INJECTS).
 *
 * A run is itself in two parts around the claim (src/provisioning/run-task.ts): `prepare` makes
 * what the claim write must record (a certificate AWS makes and answers once, a locally signed
 * certificate, a key pair), `run` goes on under the lease (registering, asking ACM PCA).
 */

/** Submit-time checks (throw InvalidInputError) so a request that cannot work never queues. */
export type ModeCheck = (request: ProvisionRequest, cdf: CdfBlock) => void | Promise<void>;

/** What a preparation works with: the task as recorded, before this run's claim. */
export interface PreparationContext extends ProvisioningClients {
  taskId: string;
  request: ProvisionRequest;
  recorded: { certificate: CertificateRecord | undefined; privateKey: Envelope | undefined };
  unfindable: UnfindableCreates;
  /** Called before making anything the claim must record; stops a preparation allowed only to read. */
  mayMake(): void;
  /** Removes a certificate just made that cannot be recorded after all (its key could not be sealed). */
  discard(certificateId: string): Promise<void>;
}

/** What the claim write records, and what the template can be planned with meanwhile. */
export interface Prepared {
  certificate?: CertificateRecord;
  privateKey?: Envelope;
  /** A certificate made here that AWS cannot find again: removed if another worker claims the task. */
  unfindable?: string;
  /** The injected parameters known already. */
  parameters?: Record<string, string>;
}

export interface ModeRun<N extends CertificateModeName> {
  prepare(ctx: PreparationContext, cdf: CdfBlock): Promise<Prepared>;
  /** Registers or fetches what the preparation made, and answers the injected parameters. */
  run(ctx: ProvisioningContext, cdf: CdfBlock): Promise<InjectedParameters<N>>;
}

/** The modes a deployment offers; a template naming another is refused (CERTIFICATE_MODE_UNAVAILABLE). */
export type ModeChecks = Partial<Record<CertificateModeName, ModeCheck>>;
export type ModeRuns = { [N in CertificateModeName]?: ModeRun<N> };
