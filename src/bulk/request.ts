import Type, { type Static } from 'typebox';
import { CdfProvisioningParameters, ProvisionRequest, TemplateId } from '../tasks/request.js';

/** Inline lines are for small jobs; a factory line's tens of thousands go in a file in S3. */
export const MAX_INLINE_LINES = 10_000;

const DryRun = Type.Boolean({
  description: 'Check every line (template, AWS IoT limits, duplicates, existing things) and create nothing',
});
const ExistingThings = Type.Union([Type.Literal('refuse'), Type.Literal('skip'), Type.Literal('provision')], {
  description:
    "A line whose thing already has a certificate: 'refuse' fails it (THING_HAS_CERTIFICATE, the default), " +
    "'skip' leaves it alone (SKIPPED), 'provision' gives it another certificate",
});

/** An input file in S3, as a request names it; `description` says what its lines hold. */
export const InputFile = (description: string) =>
  Type.Object(
    {
      bucket: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' }),
      key: Type.String({ minLength: 1, maxLength: 1024 }),
    },
    { additionalProperties: false, description },
  );

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
      InputFile(
        'A file in S3: CSV (header row of parameter names) when the key ends in .csv, else UTF-8 NDJSON (one parameter map per line)',
      ),
    ),
    cdfProvisioningParameters: Type.Optional(CdfProvisioningParameters),
    dryRun: Type.Optional(DryRun),
    existingThings: Type.Optional(ExistingThings),
  },
  { additionalProperties: false },
);
export type BulkRegistrationRequest = Static<typeof BulkRegistrationRequest>;

/**
 * `POST /bulkthings` with a `text/csv` body: the other fields as query parameters (all strings on
 * the wire; `cdfProvisioningParameters` as JSON).
 */
export const CsvSubmissionQuery = Type.Object(
  {
    provisioningTemplateId: TemplateId,
    dryRun: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    existingThings: Type.Optional(ExistingThings),
    cdfProvisioningParameters: Type.Optional(
      Type.String({ maxLength: 8192, description: 'cdfProvisioningParameters as JSON' }),
    ),
  },
  { additionalProperties: false },
);

/** `POST /bulkthings/uploads`. */
export const UploadRequest = Type.Object(
  {
    fileName: Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'The file to upload; a name ending in .csv is read as CSV, any other as NDJSON',
    }),
  },
  { additionalProperties: false },
);

/** `POST /bulkthings/{id}/retry` takes no body, or an empty object. */
export const RetryRequest = Type.Object({}, { additionalProperties: false });
