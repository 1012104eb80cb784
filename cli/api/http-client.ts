import type { TSchema, Static } from 'typebox';
import { validator } from '../../src/validation.js';
import { ApiAnswerInvalidError, ApiError, ApiUnreachableError } from '../errors.js';
import type { Authorizer } from './auth.js';
import { ApiErrorBody } from './schemas.js';

export interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  json?: unknown;
  headers?: Record<string, string>;
  /** Safe to send again (reads, and writes carrying an Idempotency-Key): retried on 5xx and network errors. */
  idempotent?: boolean;
}

export interface JsonAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

const RETRY_DELAYS_MS = [500, 1000, 2000];
const errorBody = validator(ApiErrorBody);

/**
 * The one way the CLI talks to the API: JSON in and out, every answer checked against its schema,
 * errors turned into `ApiError` with the API's own code and message, and requests signed by the
 * chosen `Authorizer`.
 */
export class HttpClient {
  constructor(
    readonly baseUrl: URL,
    private readonly auth: Authorizer,
    private readonly userAgent: string,
  ) {}

  /** A URL under the base URL (which may carry a stage path such as `/prod`). */
  url(path: string, query: CallOptions['query'] = {}): URL {
    const url = new URL(this.baseUrl.href.replace(/\/$/, '') + path);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, String(value));
    return url;
  }

  /** Sends the request; any status comes back (the caller decides), network failures throw. */
  async send(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const attempts = options.idempotent === true ? RETRY_DELAYS_MS.length + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.sendOnce(method, path, options);
        if (attempt < attempts && isRetryableStatus(response.status)) {
          await response.body?.cancel();
        } else {
          return response;
        }
      } catch (e: unknown) {
        if (attempt >= attempts || !(e instanceof ApiUnreachableError)) throw e;
      }
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt - 1]));
    }
  }

  /** A JSON call whose answer must be one of `ok` and match `schema`; anything else throws. */
  async json<S extends TSchema>(
    method: string,
    path: string,
    schema: S,
    options: CallOptions = {},
    ok: readonly number[] = [200],
  ): Promise<JsonAnswer<Static<S>>> {
    const response = await this.send(method, path, options);
    if (!ok.includes(response.status)) throw await errorOf(response, method, path);
    const body = await readJson(response, method, path);
    const check = validator(schema);
    const problems = check.problems(body);
    if (problems.length > 0)
      throw new ApiAnswerInvalidError(
        'API_ANSWER_INVALID',
        `${method} ${path} answered ${response.status} with an unexpected body: ${problems.join('; ')}`,
      );
    return { status: response.status, headers: response.headers, body: body as Static<S> };
  }

  private async sendOnce(method: string, path: string, options: CallOptions): Promise<Response> {
    const url = this.url(path, options.query);
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...lowerCase(options.headers ?? {}),
    };
    // fetch sends Host itself (from the URL); a signature must still cover it.
    const signed = await this.auth.headersFor({ method, url, headers: { host: url.host, ...headers }, body });
    Object.assign(headers, signed);
    try {
      return await fetch(url, { method, headers, body });
    } catch (e: unknown) {
      throw new ApiUnreachableError(this.baseUrl.origin, e);
    }
  }
}

/** The API's `{code, message}`, or a description of whatever else came back. */
export async function errorOf(response: Response, method: string, path: string): Promise<ApiError> {
  return errorOfText(response, await response.text().catch(() => ''), method, path);
}

export function errorOfText(response: Response, text: string, method: string, path: string): ApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (errorBody.check(parsed)) return new ApiError(response.status, parsed.code, parsed.message);
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return new ApiError(
    response.status,
    `HTTP_${response.status}`,
    `${method} ${path} answered ${response.status} ${response.statusText}${snippet !== '' ? `: ${snippet}` : ''}`,
  );
}

async function readJson(response: Response, method: string, path: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiAnswerInvalidError(
      'API_ANSWER_INVALID',
      `${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 120)}`,
    );
  }
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
