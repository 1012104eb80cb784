import { describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { useStack } from '../support/stack.js';

/** What the local HTTP server answers where Node itself, not the app, would otherwise decide. */
const env = useStack({ api: true });

const TEN_MB = 10 * 1024 * 1024;

/**
 * Sends `head` and then `body` on a raw connection, all of it before reading anything, as Python's
 * http.client and curl do, and reads one response (its body by Content-Length). Fails with the
 * socket's error, such as EPIPE when the server closes the connection while the body is sent.
 */
function sendAllThenRead(head: string, body: Buffer = Buffer.alloc(0)) {
  const { hostname, port } = new URL(env.api.url);
  return new Promise<{ status: number; headers: string; body: string }>((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let sent = false;
    let response: { status: number; headers: string; body: string } | undefined;
    const settle = () => {
      if (!sent || response === undefined) return;
      socket.destroy();
      resolve(response);
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = received.subarray(0, end).toString('latin1');
      const length = Number(/content-length:\s*(\d+)/i.exec(headers)?.[1] ?? '0');
      if (received.length < end + 4 + length) return;
      response = {
        status: Number(headers.split(' ')[1]),
        headers,
        body: received.subarray(end + 4, end + 4 + length).toString('utf8'),
      };
      settle();
    });
    socket.on('error', reject);
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]), (e) => {
      if (e) reject(e);
      else {
        sent = true;
        settle();
      }
    });
  });
}

describe('a body over the limit', () => {
  it('sent whole before the answer is read, gets the 413 with its JSON message, not a broken pipe', async () => {
    const res = await sendAllThenRead(
      `POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${TEN_MB}\r\n\r\n`,
      Buffer.alloc(TEN_MB, 'x'),
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('larger than'),
    });
  });

  it.each([
    ['with a Content-Length', () => 'x'.repeat(TEN_MB)],
    ['streamed (chunked)', () => new Blob(['x'.repeat(TEN_MB)]).stream()],
  ])('sent by Node fetch %s, gets the 413 with its JSON message', async (_, body) => {
    const res = await fetch(`${env.api.url}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(),
      duplex: 'half',
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('does not close the connection: the rest of the body is read and thrown away', async () => {
    const agentless = await sendAllThenRead(
      `POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${TEN_MB}\r\n\r\n`,
      Buffer.alloc(TEN_MB, 'x'),
    );
    expect(agentless.headers).not.toMatch(/connection:\s*close/i);
  });
});

describe('a request Node refuses to parse', () => {
  it.each([
    [
      'an Idempotency-Key with a control byte',
      'POST /things HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\x01b\r\n',
    ],
    ['a header name with a space', 'POST /things HTTP/1.1\r\nHost: x\r\nIdempotency Key: a\r\n'],
    ['a malformed request line', 'POST /things HTTP/9\r\nHost: x\r\n'],
  ])('%s is a 400 with a JSON message', async (_, head) => {
    const res = await sendAllThenRead(`${head}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
    expect(res.status).toBe(400);
    expect(res.headers).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(res.body)).toMatchObject({
      code: 'HTTP_REQUEST_INVALID',
      message: expect.stringContaining('not valid HTTP/1.1'),
    });
  });

  it('headers too large are a 431 with a JSON message', async () => {
    const res = await sendAllThenRead(
      `GET /templates HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`,
    );
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'HEADERS_TOO_LARGE' });
  });
});
