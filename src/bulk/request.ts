import Type, { type Static } from 'typebox';
import { CdfProvisioningParameters, ProvisionRequest, TemplateId } from '../tasks/request.js';

/** Inline lines are for small jobs; a factory line's tens of thousands go in a file in S3. */
export const MAX_INLINE_LINES = 10_000;

export const BulkRegistrationRequest = Type.Object(
  {
    provisioningTemplateId: TemplateId,
    parameters: Type.Optional(
      Type.Array(ProvisionRequest.properties.parameters, {
        minItems: 1,
        maxItems: MAX_INLINE_LINES,
        description: 'One parameter map per device (CDF shape); for more devices use inputFile',
      }),
    ),
    inputFile: Type.Optional(
      Type.Object(
        {
          bucket: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' }),
          key: Type.String({ minLength: 1, maxLength: 1024 }),
        },
        { additionalProperties: false, description: 'A UTF-8 NDJSON file in S3, one parameter map per line' },
      ),
    ),
    cdfProvisioningParameters: Type.Optional(CdfProvisioningParameters),
  },
  { additionalProperties: false },
);
export type BulkRegistrationRequest = Static<typeof BulkRegistrationRequest>;
