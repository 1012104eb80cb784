import type { ErrorKind } from '../errors.js';
import type { Envelope } from '../crypto/envelope.js';
import type { ProvisionRequest } from './request.js';

export type TaskStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
export const FINISHED: readonly TaskStatus[] = ['SUCCEEDED', 'FAILED'];

export interface CreatedResource {
  /** True when this task made it, so compensation may remove it; false when it already existed. */
  created: boolean;
}

/** What the task has made so far; written before the next step so a redelivery resumes here. */
export interface Checkpoint {
  certificate?: CreatedResource & {
    certificateId: string;
    certificateArn: string;
    certificatePem: string;
    publicKey?: string;
  };
  thing?: CreatedResource & { thingName: string; thingArn: string };
  policies: Record<string, CreatedResource & { policyName: string; policyArn: string }>;
}

export interface ProvisionResult {
  certificatePem?: string;
  publicKey?: string;
  /** ARNs under the template's own logical names plus CDF's `thing`, `certificate`, `policyLogicalName`. */
  resourceArns: Record<string, string>;
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
  /** The submitting system's tag (`x-client`, or the message's `client` attribute), for its events. */
  client?: string;
  /** The template's version (S3 VersionId) when the task was accepted: the worker runs that one. */
  templateVersion?: string;
  createdAt: string;
  updatedAt: string;
  attempts: number;
  checkpoint: Checkpoint;
  leaseOwner?: string;
  leaseUntil?: number;
  result?: ProvisionResult;
  /** The device private key the service made, encrypted with the task id as associated data. */
  privateKey?: Envelope;
  error?: TaskError;
  /**
   * Written false by the writes that end a task. A device task keeps no record of its event going
   * out: a redelivered message of a finished task publishes again (completion-events.ts).
   */
  eventPublished?: boolean;
  /** Epoch seconds: DynamoDB TTL removes the task, and the key with it, after this. */
  expiresAt: number;
}
