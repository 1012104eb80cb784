/**
 * Where a task lives in the table. A device of a bulk task is an ordinary provisioning task whose
 * id is `bulk:<bulkTaskId>:<line>`; it is stored under its bulk task's partition so the bulk
 * results are one paginated Query, in line order.
 */
const BULK_LINE = /^bulk:([^:]+):(\d+)$/;

export function taskKey(taskId: string): { pk: string; sk: string } {
  const line = BULK_LINE.exec(taskId);
  if (line?.[1] !== undefined && line[2] !== undefined) {
    return { pk: bulkPartition(line[1]), sk: lineSortKey(Number(line[2])) };
  }
  return { pk: `TASK#${taskId}`, sk: 'TASK' };
}

export const isBulkLine = (taskId: string) => BULK_LINE.test(taskId);
export const bulkPartition = (bulkTaskId: string) => `BULK#${bulkTaskId}`;
export const lineSortKey = (line: number) => `LINE#${String(line).padStart(9, '0')}`;
export const lineTaskId = (bulkTaskId: string, line: number) => `bulk:${bulkTaskId}:${line}`;

/** A stored item without its key attributes (the table's and the listing index's). */
export function withoutKey(item: Record<string, unknown>): unknown {
  const { pk: _pk, sk: _sk, listPk: _listPk, listSk: _listSk, ...rest } = item;
  return rest;
}
