import Type from 'typebox';
import { CdfBlock } from '../templates/cdf-block.js';
import { TemplateId } from '../tasks/request.js';

/** What the template endpoints answer and accept; also the OpenAPI document's schemas. */
export const TemplateSummary = Type.Object(
  {
    templateId: TemplateId,
    lastModified: Type.String({ format: 'date-time' }),
    size: Type.Integer({ minimum: 0, description: 'Bytes' }),
  },
  { additionalProperties: false },
);

export const TemplateList = Type.Object(
  {
    templates: Type.Array(TemplateSummary),
    nextToken: Type.Optional(
      Type.String({ description: 'Present when there are more: pass it as ?nextToken= for the next page' }),
    ),
  },
  { additionalProperties: false },
);

export const TemplateSaved = Type.Object(
  {
    templateId: TemplateId,
    certificateMode: Type.Optional(
      Type.String({ description: 'The CDF certificate pre-step the template runs, if any' }),
    ),
    requiredParameters: Type.Array(Type.String(), {
      description: "Parameters a POST /things for this template must send (the certificate mode's excepted)",
    }),
  },
  { additionalProperties: false },
);

/**
 * An AWS IoT provisioning template with CDF's optional `CDF` block. Only the outline is given
 * here; `PUT /templates/{templateId}` checks the whole of it and names the JSON path of a problem.
 */
export const ProvisioningTemplate = Type.Object(
  {
    Parameters: Type.Optional(
      Type.Record(Type.String(), Type.Object({ Type: Type.Enum(['String', 'Number']) })),
    ),
    Mappings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    Conditions: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    Resources: Type.Record(
      Type.String(),
      Type.Object({
        Type: Type.Enum(['AWS::IoT::Thing', 'AWS::IoT::Certificate', 'AWS::IoT::Policy']),
        Properties: Type.Record(Type.String(), Type.Unknown()),
      }),
    ),
    DeviceConfiguration: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    CDF: Type.Optional(CdfBlock),
  },
  { additionalProperties: false },
);
