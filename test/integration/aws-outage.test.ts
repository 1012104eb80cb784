import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { createApp } from '../../api/app.js';
import { startServer } from '../../api/server.js';
import { createAwsClients, type AwsClients } from '../../src/aws/clients.js';
import { TaskStore } from '../../src/tasks/task-store.js';
import { startConsumers } from '../../workers/start-consumers.js';
import { request } from '../support/http.js';
import { useStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

/** AWS out of reach: the API says 503 (retry), and the consumers wait longer after each failed poll. */
const env = useStack();

/** A local port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

/** Clients for a closed port, which try once per call (the SDK's retries are not under test). */
async function unreachable(): Promise<{ url: string; clients: AwsClients }> {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const clients = createAwsClients({ region: 'us-east-1', endpoint: url, maxAttempts: 1 });
  clients.dynamo.middlewareStack.add(sameRealmErrors, SAME_REALM);
  clients.sqs.middlewareStack.add(sameRealmErrors, SAME_REALM);
  return { url, clients };
}

/**
 * jest runs this file, and the SDK with it, in a VM context, while Node makes a socket's errors
 * in its own realm: the SDK's retry layer does not take such an error for an `Error` and wraps it
 * in a new one without its `code` (ECONNREFUSED). Outside jest both are one realm; this gives the
 * SDK the error as it would get it there, its own properties (code, syscall, port) unchanged.
 */
function sameRealmErrors<A, R>(next: (args: A) => Promise<R>): (args: A) => Promise<R> {
  return async (args) => {
    try {
      return await next(args);
    } catch (e: unknown) {
      if (e instanceof Error || typeof e !== 'object' || e === null) throw e;
      throw Object.assign(new Error(String((e as { message?: unknown }).message)), e);
    }
  };
}
const SAME_REALM = { step: 'deserialize', name: 'sameRealmErrors', priority: 'low' } as const;

describe('DynamoDB refusing connections', () => {
  it('is a 503 with a JSON message and a transient code, on submission and on polling', async () => {
    const dead = await unreachable();
    const services = {
      ...env.stack.services,
      tasks: new TaskStore(dead.clients.dynamo, env.stack.config.tableName),
    };
    const api = await startServer(createApp(services), 0);
    try {
      const submitted = await request(api.url, 'POST', '/things', {
        body: { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: 'outage-1' } },
      });
      const polled = await request(api.url, 'GET', '/provisioningtasks/outage-task');
      for (const res of [submitted, polled]) {
        expect(res.status).toBe(503);
        expect(res.headers.get('content-type')).toBe('application/json');
        expect(res.body).toMatchObject({
          code: 'AWS_UNAVAILABLE',
          message: expect.stringContaining('retry'),
        });
      }
    } finally {
      await api.close();
      dead.clients.destroy();
    }
  });
});

describe('SQS refusing connections', () => {
  it('the consumers poll less and less often: 20 failed receives take at least 1.5 s, not a few ms', async () => {
    const dead = await unreachable();
    let receives = 0;
    dead.clients.sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ReceiveMessageCommand') receives++;
        return next(args);
      },
      { step: 'initialize', name: 'countReceives' },
    );
    const queueUrl = (name: string) => `${dead.url}/123456789012/${name}`;
    const started = Date.now();
    const workers = startConsumers(
      {
        ...env.stack.services,
        clients: { ...env.stack.clients, sqs: dead.clients.sqs },
        queueUrls: {
          ...env.stack.services.queueUrls,
          requests: queueUrl('requests'),
          requestsDlq: queueUrl('requests-dlq'),
          bulk: queueUrl('bulk'),
          bulkDlq: queueUrl('bulk-dlq'),
        },
      },
      { drainTimeoutMs: 5_000 },
    );
    try {
      await waitFor(
        '20 receives',
        () => Promise.resolve(receives),
        (n) => n >= 20,
        60_000,
      );
      // Four consumers, five receives each at best: waits of 0.1, 0.2, 0.4 and 0.8 s at the least
      // (half of 0.2, 0.4, 0.8, 1.6 s, the jitter's floor) come before a consumer's fifth receive.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    } finally {
      await workers.stop();
      dead.clients.destroy();
    }
  });
});
