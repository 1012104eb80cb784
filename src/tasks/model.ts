import type { ErrorKind } from '../errors.js';
import type { Envelope } from '../crypto/envelope.js';
import type { ProvisionRequest } from './request.js';
import type { Rotation, RotationOutcome } from './rotation.js';

export type TaskStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
export const FINISHED: readonly TaskStatus[] = ['SUCCEEDED', 'FAILED'];

export interface CreatedResource {
  /** True when this task made it, so compensation may remove it; false when it already existed. */
  created: boolean;
}

/**
 * The device certificate. Recorded by the claim write when a mode makes it before the claim (with
 * `certificateArn` empty until it is registered); the rest of the checkpoint is written with the
 * result. The public key is not stored: it is read from the certificate when a caller asks.
 */
export type CertificateRecord = CreatedResource & {
  certificateId: string;
  certificateArn: string;
  certificatePem: string;
  /**
   * The CA chain that issued it, where the service knows it (its own CA, ACM PCA): the id it is
   * stored under once for every device that shares it (src/provisioning/ca/certificate-chains.ts).
   */
  chainId?: string;
};

/** What the task made or used, as far as it got. */
export interface Checkpoint {
  certificate?: CertificateRecord;
  thing?: CreatedResource & { thingName: string; thingArn: string };
  policies: Record<string, CreatedResource & { policyName: string; policyArn: string }>;
}

/**
 * What a run will create, recorded with the claim before it creates anything, so that a later
 * delivery (or compensation) knows which of the resources it finds are this task's own: AWS finds
 * a thing or a policy again by its name, but cannot say who made it.
 */
export interface Plan {
  /** The thing, and whether this task creates it (it did not exist when the task looked). */
  thing?: { thingName: string; creates: boolean };
  /** Policies with a document that this task creates unless another task already has. */
  policies: string[];
}

/**
 * A call that may have created a certificate AWS cannot find again (CreateKeysAndCertificate,
 * CreateCertificateFromCsr) and whose outcome is unknown: it timed out or its connection broke,
 * or the worker making it died. Epoch milliseconds, by this service's clock.
 */
export interface CreateWindow {
  from: number;
  to: number;
  call: string;
}

export interface ProvisionResult {
  /** Written by versions that stored the certificate twice; now it is in `checkpoint.certificate`. */
  certificatePem?: string;
  /** Written by versions that stored it; now it is read from the certificate. */
  publicKey?: string;
  /** ARNs under the template's own logical names plus CDF's `thing`, `certificate`, `policyLogicalName`. */
  resourceArns: Record<string, string>;
  /** A rotation's: what became of the certificate it replaced. */
  rotation?: RotationOutcome;
}

export interface TaskError {
  code: string;
  message: string;
  /** The error's kind, so a synchronous caller (`Prefer: wait`) gets the matching HTTP status. */
  kind: ErrorKind;
}

export interface Task {
  taskId: string;
  status: TaskStatus;
  request: ProvisionRequest;
  /** SHA-256 of the canonical request, to tell a retry from a different request under the same key. */
  requestHash: string;
  source: 'api' | 'queue';
  /** A certificate rotation: the engine runs the template made from it (no template is loaded). */
  rotation?: Rotation;
  /** The submitting system's tag (`x-client`, or the message's `client` attribute), for its events. */
  client?: string;
  /** The template's version (S3 VersionId) when the task was accepted: the worker runs that one. */
  templateVersion?: string;
  createdAt: string;
  updatedAt: string;
  attempts: number;
  /** Epoch ms of the latest claim: no run since could have created anything before it. */
  claimedAt?: number;
  checkpoint: Checkpoint;
  plan?: Plan;
  /** Ambiguous certificate creates whose unowned certificates are still to be removed. */
  unsettled?: CreateWindow[];
  leaseOwner?: string;
  leaseUntil?: number;
  result?: ProvisionResult;
  /** The device private key the service made, encrypted with the task id as associated data. */
  privateKey?: Envelope;
  error?: TaskError;
  /** Epoch seconds: DynamoDB TTL removes the task, and the key with it, after this. */
  expiresAt: number;
}
