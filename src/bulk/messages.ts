import Type, { type Static } from 'typebox';

/** The bulk queue's messages: one plan message per task, then chunk messages. Internal only. */
export const PlanMessage = Type.Object(
  { type: Type.Literal('bulk.plan'), bulkTaskId: Type.String() },
  { additionalProperties: false },
);
export const ChunkMessage = Type.Object(
  { type: Type.Literal('bulk.chunk'), bulkTaskId: Type.String(), chunk: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);
export const BulkMessage = Type.Union([PlanMessage, ChunkMessage]);
export type BulkMessage = Static<typeof BulkMessage>;
