import { InvalidInputError } from '../src/errors.js';

/** Request errors that have their own HTTP status beyond the error kind's (see http-status.ts). */
export class HttpRequestError extends InvalidInputError {
  constructor(
    readonly status: 400 | 406 | 413 | 415,
    code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

export const unsupportedMediaType = (
  got: string | undefined,
  wanted = 'send application/vnd.aws-cdf-v1.0+json or application/json',
) =>
  new HttpRequestError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    `Content-Type ${got ? `'${got}'` : '(none)'} is not accepted; ${wanted}`,
  );

export const notAcceptable = (accept: string) =>
  new HttpRequestError(
    406,
    'NOT_ACCEPTABLE',
    `Accept '${accept}' cannot be satisfied; this API answers application/vnd.aws-cdf-v1.0+json or application/json`,
  );

export const malformedJson = (detail: string) =>
  new HttpRequestError(400, 'MALFORMED_JSON', `The request body is not valid JSON: ${detail}`);

export const payloadTooLarge = (limit: number) =>
  new HttpRequestError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes`);
