import type { CdfProvisioningParameters } from '../tasks/request.js';
import type { RetireAfter, RotationMode } from '../tasks/rotation.js';
import type { CsvColumns } from './csv-reader.js';

/** CDF's bulk statuses, plus the ones a task that we run ourselves can reach. */
export type BulkStatus =
  'Pending' | 'InProgress' | 'Completed' | 'CompletedWithFailures' | 'Failed' | 'Cancelled';
export const BULK_STATUSES: readonly BulkStatus[] = [
  'Pending',
  'InProgress',
  'Completed',
  'CompletedWithFailures',
  'Failed',
  'Cancelled',
];
export const BULK_FINISHED: readonly BulkStatus[] = [
  'Completed',
  'CompletedWithFailures',
  'Failed',
  'Cancelled',
];

/**
 * What happens to a line whose thing already exists with a certificate attached: it fails
 * (`refuse`, the default), is left alone and reported SKIPPED (`skip`), or gets a second
 * certificate (`provision`, the operator's explicit choice).
 */
export type ExistingThings = 'refuse' | 'skip' | 'provision';
export const EXISTING_THINGS: readonly ExistingThings[] = ['refuse', 'skip', 'provision'];

/**
 * Where a bulk task's lines came from: the request field that carried them, a retry, or a fleet
 * rotation's selection (a thing group, or the certificates expiring soon), read by the planner.
 */
export type BulkSource = 'parameters' | 'csv' | 'inputFile' | 'retry' | 'selection';

/**
 * Which things a fleet rotation rotates. A list of things (inline or a file) is the task's input
 * file like any bulk input; a thing group or "expiring within N days" is read by the planner, which
 * writes the input file from it (src/rotation/fleet-input.ts).
 */
export type FleetSelection =
  | { kind: 'things' }
  | { kind: 'thingGroup'; thingGroupName: string; recursive: boolean }
  | { kind: 'expiring'; withinDays: number };

/**
 * A fleet rotation: a bulk task whose every line rotates one thing's certificate as
 * `POST /things/{thingName}/certificates/rotations` would, with these settings (src/rotation/).
 */
export interface FleetRotation {
  selection: FleetSelection;
  /** Absent: each device's certificate is made the way its current one was (from the inventory). */
  mode?: RotationMode;
  cdfProvisioningParameters?: CdfProvisioningParameters;
  retire: RetireAfter;
}

export type InputFormat = 'ndjson' | 'csv';

/** An input file whose key ends in `.csv` is CSV; anything else is NDJSON (the contract's rule). */
export function inputFormat(key: string): InputFormat {
  return key.toLowerCase().endsWith('.csv') ? 'csv' : 'ndjson';
}

export interface BulkTask {
  taskId: string;
  status: BulkStatus;
  provisioningTemplateId: string;
  /** The template's version (S3 VersionId) when the task was accepted: every device runs that one. */
  templateVersion?: string;
  /** Applied to every device (certificate modes need them); lines carry only template parameters. */
  cdfProvisioningParameters?: CdfProvisioningParameters;
  /** The input file: UTF-8 NDJSON, or CSV when the key ends in `.csv` (`inputFormat`). */
  input: { bucket: string; key: string };
  /** A CSV input's delimiter and columns, recorded by the planner from its header row. */
  csv?: CsvColumns;
  /** Absent on tasks recorded before it existed: those came from `parameters` or `inputFile`. */
  source?: BulkSource;
  /** Check every line, create nothing. */
  dryRun?: boolean;
  /** Absent: `refuse`. */
  existingThings?: ExistingThings;
  /** The task whose FAILED lines this one provisions again. */
  retryOf?: string;
  /** A fleet rotation's settings; its provisioningTemplateId is then ROTATION_TEMPLATE_ID. */
  rotation?: FleetRotation;
  /** SHA-256 of the canonical request (its file's ETag for an input file): Idempotency-Key reuse. */
  requestHash?: string;
  /** Known once the planner has read the input. */
  totalCount?: number;
  chunkCount?: number;
  successCount: number;
  failureCount: number;
  skippedCount?: number;
  /** A dry run's problem lines by code. */
  problemCounts?: Record<string, number>;
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

/** A slice of the input file that one chunk message works on: bytes [start, end). */
export interface Chunk {
  index: number;
  start: number;
  end: number;
  /** Physical (1-based) line number of the first line in the slice. */
  firstLine: number;
  /** Devices in the slice: its non-blank lines, or `lines` when given. */
  lineCount: number;
  /** Only these lines of the slice (a retry's: the lines that failed in the original task). */
  lines?: number[];
  /** Line numbers counted so far, by outcome: the chunk's exact, idempotent tally. */
  succeeded?: Set<number>;
  failed?: Set<number>;
  skipped?: Set<number>;
  /** A dry run's problem lines by code; set with the tally, once. */
  problemCounts?: Record<string, number>;
  /** A dry run's tally is written once, whole: set when it is. */
  tallied?: boolean;
  /** Set once the chunk's successor message has been sent, so a redelivery does not send it again. */
  successorSent?: boolean;
}

export type LineStatus = 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

/**
 * A line's outcome when the line never became a device: a dry run's findings, and a line skipped
 * because its thing already has a certificate. Stored where the line's device task would be.
 */
export interface LineOutcome {
  kind: 'lineOutcome';
  line: number;
  status: LineStatus;
  thingName?: string;
  error?: { code: string; message: string };
  warning?: { code: string; message: string };
  expiresAt: number;
}

export function isLineOutcome(item: unknown): item is LineOutcome {
  return (item as { kind?: unknown } | undefined)?.kind === 'lineOutcome';
}
