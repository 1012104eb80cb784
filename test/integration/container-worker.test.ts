import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListThingPrincipalsCommand } from '@aws-sdk/client-iot';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Task } from '../../src/tasks/model.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { recordTask } from '../support/tasks.js';
import { waitFor } from '../support/wait.js';

/**
 * The container entry (workers/container.ts) as its own process, as the Dockerfile runs it, on
 * the shared emulator: SIGTERM in the middle of work must lose no message and leave no task
 * RUNNING, and the health endpoint must say when the worker consumes and when it drains.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Container {
  child: ChildProcess;
  output(): string;
  port: Promise<number>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let stack: TestStack;
const started: Container[] = [];

beforeAll(async () => {
  stack = await createTestStack();
});

afterAll(async () => {
  for (const c of started)
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await stack.close();
});

function startContainer(env: Record<string, string>): Container {
  const { NODE_OPTIONS: _jestOptions, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/container.ts'], {
    cwd: ROOT,
    env: {
      ...inherited,
      ...stack.env,
      LOG_LEVEL: 'info',
      HEALTH_PORT: '0',
      HEALTH_HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((l) => l.includes('"health endpoint listening"'));
      if (line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', () => {
      reject(new Error(`the worker exited before listening:\n${output}`));
    });
  });
  port.catch(() => undefined);
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  const container = { child, output: () => output, port, exited };
  started.push(container);
  return container;
}

async function health(port: number): Promise<number | 'down'> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) });
    return res.status;
  } catch {
    return 'down';
  }
}

async function submit(thingName: string): Promise<string> {
  const taskId = await recordTask(stack, {
    provisioningTemplateId: 'aws-certificate',
    parameters: { ThingName: thingName },
  });
  await stack.clients.sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.services.queueUrls.requests,
      MessageBody: JSON.stringify({ taskId }),
    }),
  );
  return taskId;
}

const tasksOf = (ids: string[]): Promise<Task[]> =>
  Promise.all(ids.map((id) => stack.services.tasks.require(id)));
const count = (tasks: Task[], status: Task['status']) => tasks.filter((t) => t.status === status).length;

describe('the container worker', () => {
  it('on SIGTERM mid-work finishes what it holds, says it is draining, exits 0; a new worker does the rest', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `container-drain-${i}`);
    const ids = await Promise.all(names.map(submit));

    // Slow enough (2 IoT requests per second per API, 4 tasks at a time) to be caught mid-batch.
    const first = startContainer({ IOT_TPS: '2', WORKER_BATCH_SIZE: '4' });
    const port = await first.port;
    await waitFor(
      'the worker to consume',
      () => health(port),
      (s) => s === 200,
    );
    const consuming = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await consuming.json()).toEqual({ status: 'consuming' });
    expect((await fetch(`http://127.0.0.1:${port}/unknown`)).status).toBe(404);
    // Its readiness and its metrics, on the same port.
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({
      status: 200,
      body: { status: 'ready', checks: { table: 'ok', queues: 'ok', bucket: 'ok', kms: 'ok' } },
    });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^provisioning_queue_messages\{queue="requests",state="visible"\} \d+$/m);
    await waitFor(
      'a task to be running',
      () => tasksOf(ids),
      (t) => count(t, 'RUNNING') > 0,
    );

    first.child.kill('SIGTERM');
    const draining = await waitFor(
      'the health endpoint to report draining',
      () => health(port),
      (s) => s !== 200,
      5_000,
    );
    expect(draining).toBe(503);
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain('"draining: no new messages; waiting for in-flight ones"');

    const atExit = await tasksOf(ids);
    expect(atExit.filter((t) => t.status === 'RUNNING').map((t) => t.taskId)).toEqual([]);
    // It finished the batch it held, and took no new one after the signal.
    expect(count(atExit, 'SUCCEEDED')).toBeGreaterThan(0);
    expect(count(atExit, 'PENDING')).toBeGreaterThan(0);
    expect(count(atExit, 'SUCCEEDED') + count(atExit, 'PENDING')).toBe(ids.length);

    const second = startContainer({ IOT_TPS: '50' });
    // Starting a process (tsx compiles the worker) takes long on a busy machine: wait until it
    // consumes before giving it the tasks' time.
    const secondPort = await second.port;
    await waitFor(
      'the new worker to consume',
      () => health(secondPort),
      (s) => s === 200,
    );
    const done = await waitFor(
      'every task to succeed',
      () => tasksOf(ids),
      (t) => count(t, 'SUCCEEDED') === ids.length,
    );
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    // Nothing was run twice: what the first worker held, it finished itself.
    expect(done.map((t) => t.attempts)).toEqual(ids.map(() => 1));
    for (const name of names) {
      const principals = await stack.clients.iot.send(new ListThingPrincipalsCommand({ thingName: name }));
      expect({ name, principals: principals.principals?.length }).toEqual({ name, principals: 1 });
    }
  });

  it('refuses a bad HEALTH_PORT at start-up, naming the variable', async () => {
    const c = startContainer({ HEALTH_PORT: 'eighty' });
    expect((await c.exited).code).toBe(1);
    expect(c.output()).toContain('HEALTH_PORT');
  });
});
