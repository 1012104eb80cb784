import type { CdfProvisioningParameters } from '../tasks/request.js';

/** CDF's bulk statuses, plus the ones a task that we run ourselves can reach. */
export type BulkStatus =
  'Pending' | 'InProgress' | 'Completed' | 'CompletedWithFailures' | 'Failed' | 'Cancelled';
export const BULK_FINISHED: readonly BulkStatus[] = [
  'Completed',
  'CompletedWithFailures',
  'Failed',
  'Cancelled',
];

export interface BulkTask {
  taskId: string;
  status: BulkStatus;
  provisioningTemplateId: string;
  /** The template's version (S3 VersionId) when the task was accepted: every device runs that one. */
  templateVersion?: string;
  /** Applied to every device (certificate modes need them); lines carry only template parameters. */
  cdfProvisioningParameters?: CdfProvisioningParameters;
  /** UTF-8 NDJSON, one parameter map per line. */
  input: { bucket: string; key: string };
  /** Known once the planner has read the input. */
  totalCount?: number;
  chunkCount?: number;
  successCount: number;
  failureCount: number;
  creationDate: string;
  lastModifiedDate: string;
  error?: { code: string; message: string };
  /** The submitting system's tag (`x-client`), carried on the task's completion event. */
  client?: string;
  /** Chunks being worked on: their tallies are not in the counters yet (see bulk-store.ts). */
  activeChunks?: Set<number>;
  /** False from the write that ends the task until its completion event is published. */
  eventPublished?: boolean;
  expiresAt: number;
}

/** A slice of the input file that one chunk message provisions: bytes [start, end). */
export interface Chunk {
  index: number;
  start: number;
  end: number;
  /** Physical (1-based) line number of the first line in the slice. */
  firstLine: number;
  /** Devices (non-blank lines) in the slice. */
  lineCount: number;
  /** Line numbers counted so far, by outcome: the chunk's exact, idempotent tally. */
  succeeded?: Set<number>;
  failed?: Set<number>;
  /** Set once the chunk's successor message has been sent, so a redelivery does not send it again. */
  successorSent?: boolean;
}
