import { ConflictError, InvalidInputError, NotFoundError, TransientError } from '../errors.js';

export class TaskNotFoundError extends NotFoundError {
  constructor(taskId: string) {
    super('TASK_NOT_FOUND', `No provisioning task with id '${taskId}' exists (or its results have expired)`);
  }
}

/** Same task id or Idempotency-Key, different request: never silently provision the other one. */
export class TaskConflictError extends ConflictError {
  constructor(taskId: string) {
    super(
      'TASK_ID_REUSED',
      `Task '${taskId}' already exists for a different request; use a new task id or Idempotency-Key`,
    );
  }
}

/** Another worker holds the task's lease; the message comes back later. */
export class TaskBusyError extends TransientError {
  constructor(taskId: string) {
    super('TASK_BUSY', `Task '${taskId}' is being worked on by another worker`);
  }
}

/** This worker's lease was taken over (it ran too long); it must stop writing to the task. */
export class LeaseLostError extends TransientError {
  constructor(taskId: string, options?: ErrorOptions) {
    super('TASK_LEASE_LOST', `This worker no longer holds the lease on task '${taskId}'`, options);
  }
}

/** A malformed submitter tag (`x-client` header or `client` message attribute). */
export class ClientTagError extends InvalidInputError {
  constructor(where: string) {
    super('CLIENT_INVALID', `${where} must be 1-64 visible ASCII characters (no spaces), e.g. 'erp-eu'`);
  }
}
