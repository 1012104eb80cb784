import { ConflictError, InvalidInputError, NotFoundError } from '../errors.js';

export class BulkTaskNotFoundError extends NotFoundError {
  constructor(taskId: string) {
    super('BULK_TASK_NOT_FOUND', `No bulk registration task with id '${taskId}' exists (or it has expired)`);
  }
}

export class BulkTaskFinishedError extends ConflictError {
  constructor(taskId: string, status: string) {
    super('BULK_TASK_FINISHED', `Bulk task '${taskId}' is already ${status}; it can no longer be cancelled`);
  }
}

/** The bulk input (file or inline lines) cannot be used as a whole. */
export class BulkInputError extends InvalidInputError {}

/** The input file was there when the task was submitted and is gone now. */
export const bulkInputGone = (input: { bucket: string; key: string }) =>
  new BulkInputError(
    'BULK_INPUT_UNREADABLE',
    `The bulk input file s3://${input.bucket}/${input.key} no longer exists`,
  );

/** A retry is of a finished task only: its failed lines are final then. */
export class BulkTaskNotFinishedError extends ConflictError {
  constructor(taskId: string, status: string) {
    super(
      'BULK_TASK_NOT_FINISHED',
      `Bulk task '${taskId}' is ${status}; retry its failed lines once it has finished (or cancel it first)`,
    );
  }
}
