import Type, { type Static } from 'typebox';
import { CdfProvisioningParameters, ProvisionRequest, TaskId, TemplateId } from './request.js';

/**
 * The requests queue's message contract (published as JSON Schema in the README).
 *
 * - `TaskReference`: what the API sends: the task is already recorded.
 * - `UpstreamRequest`: what ERP/MES/factory systems publish directly: a CDF `ProvisionRequest`,
 *   with an optional client-chosen `taskId`. Without one, the SQS message id (returned by
 *   SendMessage) becomes the task id, so the publisher can always poll its result.
 */
export const TaskReference = Type.Object({ taskId: TaskId }, { additionalProperties: false });
export type TaskReference = Static<typeof TaskReference>;

export const UpstreamRequest = Type.Object(
  {
    taskId: Type.Optional(TaskId),
    provisioningTemplateId: TemplateId,
    parameters: ProvisionRequest.properties.parameters,
    cdfProvisioningParameters: Type.Optional(CdfProvisioningParameters),
  },
  { additionalProperties: false },
);
export type UpstreamRequest = Static<typeof UpstreamRequest>;

export const RequestMessage = Type.Union([TaskReference, UpstreamRequest], {
  title: 'ProvisioningRequestMessage',
  description: 'Body of a message on the provisioning requests queue',
});
