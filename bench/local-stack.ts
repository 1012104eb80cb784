import { PutObjectCommand } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { bootstrap } from '../infra/bootstrap.js';
import { startMoto, type RunningMoto } from '../infra/moto.mjs';
import { createAwsClients, clientOptionsFrom, type AwsClients } from '../src/aws/clients.js';
import { loadConfig, type Config } from '../src/config.js';

/**
 * A fresh emulator, bootstrapped, for one benchmark run; `env` is what the benchmark's own API
 * and worker processes get. The IoT budget is lifted so the figures show the service, not the
 * limiter.
 */
export interface BenchStack {
  moto: RunningMoto;
  env: Record<string, string>;
  config: Config;
  clients: AwsClients;
  stop(): Promise<void>;
}

export async function startBenchStack(): Promise<BenchStack> {
  const moto = await startMoto();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    AWS_ENDPOINT_URL: moto.endpoint,
    RESULTS_KMS_KEY_ID: 'alias/bench',
    LOG_LEVEL: 'warn',
    IOT_TPS: '1000',
    HEALTH_PORT: '0',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const config = loadConfig(env);
  const clients = createAwsClients(clientOptionsFrom(config));
  await bootstrap(clients, config, { cas: false });
  return {
    moto,
    env,
    config,
    clients,
    stop: async () => {
      clients.destroy();
      await moto.stop();
    },
  };
}

/**
 * Puts the benchmarks' `bench-thing` template: a thing only, so the emulator's certificate work
 * is not the whole story; `parameters` are its declared parameters beyond ThingName.
 */
export async function putThingTemplate(
  bench: BenchStack,
  parameters: Record<string, { Type: 'String'; Default?: string }> = {},
): Promise<void> {
  const template = {
    Parameters: { ThingName: { Type: 'String' }, ...parameters },
    Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } } },
  };
  await bench.clients.s3.send(
    new PutObjectCommand({
      Bucket: bench.config.templates.bucket,
      Key: 'templates/bench-thing.json',
      Body: JSON.stringify(template),
    }),
  );
}

/** A service process of the benchmark (API, worker), measured apart from the benchmark itself. */
export interface BenchProcess {
  child: ChildProcess;
  pid: number;
  /** The first line it prints (the API prints its URL). */
  firstLine: Promise<string>;
  stop(): Promise<void>;
}

export function startProcess(script: string, env: Record<string, string>): BenchProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // However the benchmark ends (an error, Ctrl-C), the processes it started end with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    child,
    pid: child.pid ?? -1,
    firstLine: new Promise((resolve) => lines.once('line', resolve)),
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
