import type { Socket } from 'node:net';

/**
 * Node's HTTP parser refuses some requests before the app sees them (a header value with control
 * bytes, such as an `Idempotency-Key` holding `\x01`; a malformed request line; headers too large)
 * and by default answers a bare `400 Bad Request` with no body. This answers in the API's own
 * form instead, `{message, code}`, and closes the connection, whose parser state is lost.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, body] = answerFor(error.code);
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      'Connection: close\r\n\r\n' +
      text,
  );
}

function answerFor(code: string | undefined): [number, string, { message: string; code: string }] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [
        431,
        'Request Header Fields Too Large',
        { code: 'HEADERS_TOO_LARGE', message: 'The request headers are larger than this server accepts' },
      ];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [
        408,
        'Request Timeout',
        {
          code: 'REQUEST_TIMEOUT',
          message: 'The request was not received completely in time; send it again',
        },
      ];
    default:
      return [
        400,
        'Bad Request',
        {
          code: 'HTTP_REQUEST_INVALID',
          message:
            'The request is not valid HTTP/1.1 (' +
            `${code ?? 'unreadable'}); header values may not hold control characters, such as in an Idempotency-Key`,
        },
      ];
  }
}
