import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeBundles } from '../../infra/deploy/bundles.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { claimAs, recordTask } from '../support/tasks.js';

/**
 * The deployed Lambda bundles (built here exactly as `npm run package` builds them), invoked with
 * the events API Gateway (REST API payload 1.0, HTTP API payload 2.0) and the SQS event source
 * mapping send, against the emulator. Queue records are real messages received from the stack's
 * queues, so receipt handles, attributes and retry delays are real too.
 */
type ApiHandler = (
  event: APIGatewayProxyEvent | APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResult & APIGatewayProxyStructuredResultV2>;
type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

let stack: TestStack;
let bundles: string;
let api: ApiHandler;
let worker: { requests: SqsHandler; deadLetters: SqsHandler };
const savedEnv = { ...process.env };

beforeAll(async () => {
  bundles = await mkdtemp(join(tmpdir(), 'lambda-bundles-'));
  [stack] = await Promise.all([createTestStack(), writeBundles(['api', 'worker'], bundles)]);
  // What Lambda gives the function: the stack's configuration as environment variables.
  Object.assign(process.env, stack.env, { LOG_LEVEL: 'error' });
  api = ((await import(pathToFileURL(join(bundles, 'api', 'index.mjs')).href)) as { handler: ApiHandler })
    .handler;
  worker = (await import(pathToFileURL(join(bundles, 'worker', 'index.mjs')).href)) as typeof worker;
});

afterAll(async () => {
  for (const name of Object.keys(stack.env)) {
    if (savedEnv[name] === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = savedEnv[name];
  }
  await rm(bundles, { recursive: true, force: true });
  await stack.close();
});

function context(functionName: string): Context {
  const lambdaContext: Omit<Context, 'done' | 'fail' | 'succeed'> = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/26/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 29_000,
  };
  // The callback-era methods are deprecated; no handler of ours calls them.
  return lambdaContext as Context;
}

const CDF = 'application/vnd.aws-cdf-v1.0+json';

/** An API Gateway REST API (payload 1.0) proxy event for `ANY /{proxy+}` on stage `prod`. */
function restEvent(method: string, path: string, body?: unknown): APIGatewayProxyEvent {
  const headers: Record<string, string> = { Accept: CDF, Host: 'abc123.execute-api.us-east-1.amazonaws.com' };
  if (body !== undefined) headers['Content-Type'] = CDF;
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: {
        accessKey: 'ASIAEXAMPLE',
        accountId: '123456789012',
        apiKey: null,
        apiKeyId: null,
        caller: 'AROAEXAMPLE:session',
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.7',
        user: 'AROAEXAMPLE:session',
        userAgent: 'integration-test',
        userArn: 'arn:aws:sts::123456789012:assumed-role/caller/session',
      },
      path: `/prod${path}`,
      stage: 'prod',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'proxy1',
      resourcePath: '/{proxy+}',
    },
  };
}

/**
 * An HTTP API (payload 2.0) event. HTTP APIs base64-encode bodies whose media type is not text or
 * JSON-like, which includes CDF's `application/vnd.aws-cdf-v1.0+json`.
 */
function httpApiEvent(method: string, path: string, body?: unknown): APIGatewayProxyEventV2 {
  const now = new Date();
  const headers: Record<string, string> = {
    accept: CDF,
    host: 'abc123.execute-api.us-east-1.amazonaws.com',
    'user-agent': 'integration-test',
    'x-forwarded-proto': 'https',
  };
  if (body !== undefined) headers['content-type'] = CDF;
  return {
    version: '2.0',
    routeKey: 'ANY /{proxy+}',
    rawPath: path,
    rawQueryString: '',
    headers,
    pathParameters: { proxy: path.slice(1) },
    isBase64Encoded: body !== undefined,
    ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body), 'utf8').toString('base64') }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'integration-test' },
      requestId: randomUUID(),
      routeKey: 'ANY /{proxy+}',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/** The event the SQS event source mapping builds from messages it received. */
function sqsEvent(messages: Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((m): SQSRecord => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: m.Attributes?.SenderId ?? 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp:
          m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
          k,
          {
            stringValue: v.StringValue,
            stringListValues: [],
            binaryListValues: [],
            dataType: v.DataType ?? 'String',
          },
        ]),
      ),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

const queueArn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;

/** Receives from a queue until every wanted message is in hand, as the event source mapping would. */
async function receive(queueUrl: string, wanted: (m: Message) => boolean, count: number): Promise<Message[]> {
  const found = new Map<string, Message>();
  const deadline = Date.now() + 15_000;
  while (found.size < count) {
    if (Date.now() > deadline) throw new Error(`only ${found.size} of ${count} messages arrived`);
    const out = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 30,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    for (const m of out.Messages ?? []) if (wanted(m)) found.set(m.MessageId ?? '', m);
  }
  return [...found.values()];
}

/** What the event source mapping does with the messages a batch response did not report. */
async function deleteSucceeded(
  queueUrl: string,
  messages: Message[],
  response: SQSBatchResponse,
): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of messages.filter((x) => !failed.has(x.MessageId ?? ''))) {
    await stack.clients.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
    );
  }
}

const recordFor = (thingName: string) =>
  recordTask(stack, { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: thingName } });

const json = (result: { body?: string }) => JSON.parse(result.body ?? 'null') as Record<string, unknown>;
function bodyTaskId(m: Message): string | undefined {
  try {
    return (JSON.parse(m.Body ?? '{}') as { taskId?: string }).taskId;
  } catch {
    return undefined;
  }
}

describe('API Gateway events', () => {
  let taskId = '';

  it('HTTP API (2.0): POST /things with a base64-encoded CDF body is accepted (202)', async () => {
    const result = await api(
      httpApiEvent('POST', '/things', {
        provisioningTemplateId: 'aws-certificate',
        parameters: { ThingName: 'lambda-api-1' },
      }),
      context('api'),
    );
    expect(result.statusCode).toBe(202);
    const body = json(result);
    expect(body).toMatchObject({ status: 'PENDING' });
    taskId = String(body.taskId);
    expect(result.headers?.location ?? result.headers?.Location).toBe(`/provisioningtasks/${taskId}`);
    expect(String(result.headers?.['content-type'])).toContain(CDF);
  });

  it('REST API (1.0): GET /provisioningtasks/{taskId} answers the task', async () => {
    const result = await api(restEvent('GET', `/provisioningtasks/${taskId}`), context('api'));
    expect(result.statusCode).toBe(200);
    expect(json(result)).toMatchObject({ taskId, status: 'PENDING' });
  });

  it('the requests worker provisions it from its queue message; both API payloads then return the device', async () => {
    const messages = await receive(stack.services.queueUrls.requests, (m) => bodyTaskId(m) === taskId, 1);
    const response = await worker.requests(
      sqsEvent(messages, queueArn(stack.config.queues.requests)),
      context('requestsWorker'),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    await deleteSucceeded(stack.services.queueUrls.requests, messages, response);

    for (const event of [
      restEvent('GET', `/provisioningtasks/${taskId}`),
      httpApiEvent('GET', `/provisioningtasks/${taskId}`),
    ]) {
      const result = await api(event, context('api'));
      expect(result.statusCode).toBe(200);
      const body = json(result);
      expect(body).toMatchObject({ taskId, status: 'SUCCEEDED' });
      expect(String(body.certificatePem)).toContain('BEGIN CERTIFICATE');
      expect(String(body.privateKey)).toContain('PRIVATE KEY');
    }
  });

  it('errors keep their JSON shape in both payloads: unknown route 404, unreadable body 400', async () => {
    const unknown = await api(restEvent('GET', '/no-such-thing'), context('api'));
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toMatchObject({ code: 'ROUTE_NOT_FOUND' });

    const event = httpApiEvent('POST', '/things', {});
    event.body = Buffer.from('{"provisioningTemplateId":', 'utf8').toString('base64');
    const bad = await api(event, context('api'));
    expect(bad.statusCode).toBe(400);
    expect(json(bad)).toEqual({ code: expect.any(String), message: expect.any(String) });
  });
});

describe('SQS events', () => {
  it('a partial batch failure reports exactly the failed message ids, and the rest are done', async () => {
    const ok = await Promise.all(['lambda-batch-1', 'lambda-batch-2', 'lambda-batch-3'].map(recordFor));
    // Held by another, live worker: the handler must give these back to the queue.
    const busy = await Promise.all(['lambda-busy-1', 'lambda-busy-2'].map(recordFor));
    for (const id of busy) await claimAs(stack, id, 'another-live-worker', 300);
    const queueUrl = stack.services.queueUrls.requests;
    for (const id of [...ok, ...busy]) {
      await stack.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ taskId: id }) }),
      );
    }
    // Not JSON: moved to the DLQ with its reason, so not a failure to retry.
    const garbage = await stack.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not json' }),
    );
    const ids = new Set([...ok, ...busy]);
    const messages = await receive(
      queueUrl,
      (m) => ids.has(bodyTaskId(m) ?? '') || m.MessageId === garbage.MessageId,
      ids.size + 1,
    );

    const response = await worker.requests(
      sqsEvent(messages, queueArn(stack.config.queues.requests)),
      context('requestsWorker'),
    );
    await deleteSucceeded(queueUrl, messages, response);

    const busyMessageIds = messages.filter((m) => busy.includes(bodyTaskId(m) ?? '')).map((m) => m.MessageId);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(busyMessageIds.sort());
    for (const id of ok) expect((await stack.services.tasks.require(id)).status).toBe('SUCCEEDED');
    for (const id of busy) {
      expect(await stack.services.tasks.require(id)).toMatchObject({
        status: 'RUNNING',
        leaseOwner: 'another-live-worker',
      });
    }
  });

  it('the dead-letter handler fails a task whose message died, and keeps a message the worker set aside', async () => {
    // A template that makes no certificate AWS cannot find again: nothing to wait for before failing
    // it (redelivery-and-compensation.test.ts covers the wait).
    const died = await recordTask(stack, {
      provisioningTemplateId: 'add-thing-to-group',
      parameters: { ThingName: 'lambda-died-1' },
    });
    await claimAs(stack, died, 'crashed-worker', 0);
    const dlq = stack.services.queueUrls.requestsDlq;
    await stack.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: dlq, MessageBody: JSON.stringify({ taskId: died }) }),
    );
    const setAside = await stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: dlq,
        MessageBody: 'set aside',
        MessageAttributes: {
          deadLetterReason: { DataType: 'String', StringValue: 'Message body is not JSON' },
        },
      }),
    );
    const messages = await receive(
      dlq,
      (m) => bodyTaskId(m) === died || m.MessageId === setAside.MessageId,
      2,
    );

    const response = await worker.deadLetters(
      sqsEvent(messages, queueArn(stack.config.queues.requestsDlq)),
      context('deadLetters'),
    );
    await deleteSucceeded(dlq, messages, response);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: setAside.MessageId }]);
    expect(await stack.services.tasks.require(died)).toMatchObject({
      status: 'FAILED',
      error: { code: 'MESSAGE_DEAD_LETTERED' },
    });
  });
});
