import type { TaskRunnerDeps } from '../provisioning/run-task.js';
import type { MessageQueue } from '../queue/message-queue.js';
import type { ObjectReader } from '../storage/object-store.js';
import type { BulkStore } from './bulk-store.js';
import type { BulkEvents } from './completion-event.js';
import type { RotationLines } from './rotation-line.js';

/** What a chunk worker (run-chunk.ts, and a dry run's check-chunk.ts) needs. */
export interface ChunkDeps extends TaskRunnerDeps {
  objects: ObjectReader;
  /** The bulk queue, where a chunk's successor goes. */
  queue: MessageQueue;
  bulk: BulkStore;
  chunksInFlight: number;
  lineConcurrency: number;
  ttlSeconds: number;
  /** Publishes the task's completion event once it has ended. */
  bulkEvents: BulkEvents;
  /** How a fleet rotation's line is resolved into its device's rotation. */
  rotationLines: RotationLines;
}
