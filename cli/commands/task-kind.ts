const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Bulk task ids are UUIDs; a single-device task id may be one too, so callers fall back on 404. */
export function isBulkTaskId(taskId: string): boolean {
  return UUID.test(taskId);
}
