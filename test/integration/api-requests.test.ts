import { describe, expect, it } from '@jest/globals';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { connect } from 'node:net';
import { SqsMessageQueue } from '../../src/queue/sqs-message-queue.js';
import { useStack } from '../support/stack.js';
import { pollTask, request } from '../support/http.js';
import { thingState } from '../support/iot-registry.js';

const env = useStack({ api: true });

const valid = { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'battery-ok' } };

describe('bad HTTP input is a 4xx with a message, never a 5xx', () => {
  const cases: [string, Parameters<typeof request>[3], number, string][] = [
    ['malformed JSON', { rawBody: '{"provisioningTemplateId": ' }, 400, 'MALFORMED_JSON'],
    ['a JSON array', { body: [valid] }, 400, 'REQUEST_INVALID'],
    ['missing template id', { body: { parameters: {} } }, 400, 'REQUEST_INVALID'],
    [
      'parameters of the wrong type',
      { body: { ...valid, parameters: { ThingName: 7 } } },
      400,
      'REQUEST_INVALID',
    ],
    ['an unknown field', { body: { ...valid, colour: 'red' } }, 400, 'REQUEST_INVALID'],
    [
      'an unknown template',
      { body: { ...valid, provisioningTemplateId: 'no-such-template' } },
      400,
      'TEMPLATE_NOT_FOUND',
    ],
    [
      'a template id with a path in it',
      { body: { ...valid, provisioningTemplateId: '../secrets' } },
      400,
      'REQUEST_INVALID',
    ],
    [
      'a missing required parameter',
      { body: { ...valid, parameters: {} } },
      400,
      'TEMPLATE_PARAMETER_MISSING',
    ],
    [
      'an oversize parameter value',
      { body: { ...valid, parameters: { ThingName: 'x'.repeat(20_000) } } },
      400,
      'REQUEST_INVALID',
    ],
    [
      'an oversize body',
      { rawBody: JSON.stringify({ ...valid, pad: 'x'.repeat(300_000) }) },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'a wrong media type',
      { body: valid, headers: { 'content-type': 'text/plain' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['an unacceptable Accept', { body: valid, headers: { accept: 'text/html' } }, 406, 'NOT_ACCEPTABLE'],
    [
      'a bad Idempotency-Key',
      { body: valid, headers: { 'idempotency-key': 'ä'.repeat(3) } },
      400,
      'IDEMPOTENCY_KEY_INVALID',
    ],
  ];
  it.each(cases)('%s', async (_name, options, status, code) => {
    const res = await request(env.api.url, 'POST', '/things', options);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(typeof res.body.message).toBe('string');
    expect(String(res.body.message).length).toBeGreaterThan(10);
  });

  it('a thing name AWS would refuse is a 400 naming the parameter that gave it', async () => {
    const res = await request(env.api.url, 'POST', '/things', {
      body: { ...valid, parameters: { ThingName: 'bad name/with*chars' } },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 'TEMPLATE_PROPERTY_INVALID',
      message:
        'Resources.thing.Properties.ThingName: parameter \'ThingName\' gives "bad name/with*chars", which is ' +
        'not a thing name: 1-128 of a-z A-Z 0-9 : _ -; send a value AWS IoT accepts',
    });
  });

  it('a CSR parameter longer than AWS IoT takes, or not a CSR, is a 400 naming the parameter', async () => {
    const csr = (value: string) =>
      request(env.api.url, 'POST', '/things', {
        body: { provisioningTemplateId: 'device-csr', parameters: { ThingName: 'csr-1', CSR: value } },
      });
    const long = await csr('x'.repeat(5000));
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({
      code: 'TEMPLATE_PARAMETER_INVALID',
      message: expect.stringMatching(
        /^Parameters\.CSR: the value sent is 5000 characters; AWS IoT takes at most 4096/,
      ),
    });
    const garbage = await csr(
      '-----BEGIN CERTIFICATE REQUEST-----\nnot base64\n-----END CERTIFICATE REQUEST-----',
    );
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatchObject({
      code: 'CSR_INVALID',
      message: expect.stringMatching(
        /^Resources\.certificate\.Properties\.CertificateSigningRequest \(parameter 'CSR' gives it\): The CSR /,
      ),
    });
  });

  it("checks a template's use of what its certificate mode makes before the mode runs", async () => {
    const ownCa = (ThingName: string) =>
      request(env.api.url, 'POST', '/things', {
        body: {
          provisioningTemplateId: 'create-device-certificate',
          parameters: { ThingName },
          cdfProvisioningParameters: { caId: '0'.repeat(64), certInfo: { country: 'US' } },
        },
      });
    // The device is checked first, with stand-ins for the certificate and CA the mode would make.
    expect((await ownCa('bad name')).body).toMatchObject({ code: 'TEMPLATE_PROPERTY_INVALID' });
    // They pass as the mode's own would, so the mode's check is what refuses this one.
    expect((await ownCa('own-ca-1')).body).toMatchObject({ code: 'CA_NOT_FOUND' });
  });

  it('unknown tasks and bad task ids', async () => {
    expect((await request(env.api.url, 'GET', '/provisioningtasks/does-not-exist')).status).toBe(404);
    expect((await request(env.api.url, 'GET', '/provisioningtasks/%20bad')).status).toBe(400);
    expect((await request(env.api.url, 'GET', '/nowhere')).status).toBe(404);
  });

  it('nothing was recorded for the refused requests', async () => {
    const items = await env.stack.clients.dynamo.send(
      new ScanCommand({ TableName: env.stack.config.tableName }),
    );
    expect(items.Items).toEqual([]);
  });
});

describe('Idempotency-Key', () => {
  it('the same key twice gives the same task and one device', async () => {
    const workers = env.stack.startWorkers();
    try {
      const body = { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'idempotent-1' } };
      const headers = { 'idempotency-key': 'order-7781' };
      const first = await request(env.api.url, 'POST', '/things', { body, headers });
      const second = await request(env.api.url, 'POST', '/things', { body, headers });
      expect(first.status).toBe(202);
      expect(second.body.taskId).toBe(first.body.taskId);
      await pollTask(env.api.url, String(first.body.taskId));
      const third = await request(env.api.url, 'POST', '/things', { body, headers });
      expect(third.body).toMatchObject({ taskId: first.body.taskId, status: 'SUCCEEDED' });
      const state = await thingState(env.stack.clients.iot, 'idempotent-1');
      expect(state.principals).toHaveLength(1);
    } finally {
      await workers.stop();
    }
  });

  it('the same key with a different request is refused', async () => {
    const headers = { 'idempotency-key': 'order-7781' };
    const res = await request(env.api.url, 'POST', '/things', {
      body: { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'idempotent-2' } },
      headers,
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('TASK_ID_REUSED');
  });
});

describe('enqueue failure', () => {
  it('answers 503 and leaves the task FAILED, not PENDING', async () => {
    const { queues, queueUrls } = env.stack.services;
    const realQueue = queues.requests;
    queues.requests = new SqsMessageQueue(env.stack.clients.sqs, `${queueUrls.requests}-gone`);
    try {
      const res = await request(env.api.url, 'POST', '/things', {
        body: { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'never-queued' } },
        headers: { 'idempotency-key': 'enqueue-failure' },
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).not.toBe(500);
      const items = await env.stack.clients.dynamo.send(
        new ScanCommand({ TableName: env.stack.config.tableName }),
      );
      // The table holds more than tasks (the certificate inventory): only tasks have a request.
      const task = items.Items?.find(
        (i) =>
          (i.request as { parameters: { ThingName?: string } } | undefined)?.parameters.ThingName ===
          'never-queued',
      );
      expect(task).toMatchObject({ status: 'FAILED', error: { code: 'ENQUEUE_FAILED' } });
    } finally {
      queues.requests = realQueue;
    }
  });
});

/** A request exactly as `curl -X POST <url>` sends it: no body, no Content-Length, no Content-Type. */
async function bareRequest(baseUrl: string, method: string, path: string) {
  const { hostname, port } = new URL(baseUrl);
  const raw = await new Promise<string>((resolve, reject) => {
    // Written, not ended: the server closes the connection after answering (Connection: close).
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `${method} ${path} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
      );
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('end', () => {
      resolve(text);
    });
    socket.on('error', reject);
  });
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body };
}

describe('requests without a body', () => {
  const pendingBulkTask = async () => {
    // No workers in this file: the task stays Pending, so it can always be cancelled.
    const res = await request(env.api.url, 'POST', '/bulkthings', {
      body: { provisioningTemplateId: 'aws-certificate', parameters: [{ ThingName: 'never-started' }] },
    });
    expect(res.status).toBe(202);
    return String(res.body.taskId);
  };

  it('POST /bulkthings/{id}/cancel as the README sends it (curl -X POST) cancels the task', async () => {
    const taskId = await pendingBulkTask();
    const res = await bareRequest(env.api.url, 'POST', `/bulkthings/${taskId}/cancel`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ taskId, status: 'Cancelled' });
  });

  it('DELETE /bulkthings/{id} and a POST with Content-Length: 0 need no Content-Type either', async () => {
    const deleted = await fetch(`${env.api.url}/bulkthings/${await pendingBulkTask()}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    const posted = await fetch(`${env.api.url}/bulkthings/${await pendingBulkTask()}/cancel`, {
      method: 'POST',
      headers: { 'content-length': '0' },
    });
    expect(posted.status).toBe(200);
  });

  it('a body still needs a JSON Content-Type, and a body-less POST /things is a 400 that says so', async () => {
    const typed = await request(env.api.url, 'POST', `/bulkthings/${await pendingBulkTask()}/cancel`, {
      rawBody: 'cancel please',
      headers: { 'content-type': 'text/plain' },
    });
    expect(typed.status).toBe(415);
    const empty = await bareRequest(env.api.url, 'POST', '/things');
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.body)).toMatchObject({ code: 'MALFORMED_JSON' });
  });
});

describe('the negotiated media type', () => {
  it('every JSON answer, errors included, is in the CDF media type when the caller asks for it', async () => {
    const cdf = { accept: 'application/vnd.aws-cdf-v1.0+json' };
    const answers = await Promise.all([
      request(env.api.url, 'GET', '/provisioningtasks/no-such-task', { headers: cdf }),
      request(env.api.url, 'GET', '/templates', { headers: cdf }),
      request(env.api.url, 'GET', '/templates/aws-certificate', { headers: cdf }),
      request(env.api.url, 'POST', '/things', { body: { provisioningTemplateId: 'x' }, headers: cdf }),
      request(env.api.url, 'PUT', '/templates/plain', {
        rawBody: '{}',
        headers: { ...cdf, 'content-type': 'text/plain' },
      }),
    ]);
    expect(answers.map((a) => [a.status, a.headers.get('content-type')])).toEqual([
      [404, 'application/vnd.aws-cdf-v1.0+json'],
      [200, 'application/vnd.aws-cdf-v1.0+json'],
      [200, 'application/vnd.aws-cdf-v1.0+json'],
      [400, 'application/vnd.aws-cdf-v1.0+json'],
      [415, 'application/vnd.aws-cdf-v1.0+json'],
    ]);
    const plain = await request(env.api.url, 'GET', '/provisioningtasks/no-such-task');
    expect(plain.headers.get('content-type')).toBe('application/json');
  });
});
