/**
 * Whether a failed AWS request provably changed nothing: the service answered it with a 4xx (it
 * refused the request: throttling, validation, conflict), or the connection was never made. Any
 * other failure (a timeout after the request was sent, a connection reset, a 5xx) is ambiguous:
 * the service may have acted on the request and the answer was lost.
 */
interface RequestFailure {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Errors Node raises before a single byte of the request left this host. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function provedNotProcessed(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const failure = e as RequestFailure;
  const status = failure.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 400 && status < 500;
  if (typeof failure.code === 'string' && NEVER_CONNECTED.has(failure.code)) return true;
  // @smithy/node-http-handler's connection timeout: the socket never connected.
  return (
    failure.name === 'TimeoutError' &&
    typeof failure.message === 'string' &&
    failure.message.includes('did not establish a connection')
  );
}
