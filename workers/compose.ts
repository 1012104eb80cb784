import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createCommonServices, type CommonServices, type ServiceOverrides } from '../src/common-services.js';
import type { Config } from '../src/config.js';
import { InventoryWriter } from '../src/inventory/inventory-writer.js';
import { taskRecorder } from '../src/inventory/task-recorder.js';
import { createModeRuns } from '../src/provisioning/certificate-modes/runs.js';
import type { TaskRunnerDeps } from '../src/provisioning/run-task.js';
import { CompletionPublisher } from '../src/tasks/completion-events.js';

/**
 * The workers' composition root: the common services plus the task runner's needs: every
 * certificate mode's run, completion events, the account and region the templates expand with,
 * the lease, and the certificate inventory's recorder of what the tasks made. Used by the Lambda handlers and the container; `npm start` and the tests compose
 * it beside the API's over the same common services.
 */
export interface WorkerServices extends CommonServices, TaskRunnerDeps {}

export function workerServices(common: CommonServices): WorkerServices {
  const { clients, config } = common;
  const accountId = memo(async () => {
    const out = await clients.sts.send(new GetCallerIdentityCommand({}));
    if (out.Account === undefined) throw new Error('STS did not return the account id');
    return out.Account;
  });
  return {
    ...common,
    iot: clients.iot,
    runs: createModeRuns(clients, config.certificates),
    events: new CompletionPublisher(common.queues.results, common.tasks),
    region: config.region,
    accountId,
    leaseSeconds: config.worker.leaseSeconds,
    certificates: taskRecorder({
      writer: new InventoryWriter(clients.dynamo, config.tableName),
      templates: common.templates,
      certificates: config.certificates,
      region: config.region,
      accountId,
      logger: common.logger,
    }),
  };
}

export async function createWorkerServices(
  config: Config,
  overrides: ServiceOverrides = {},
): Promise<WorkerServices> {
  return workerServices(await createCommonServices(config, overrides));
}

/** Caches a successful result; a failure is retried on the next call. */
function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((e: unknown) => {
      value = undefined;
      throw e;
    });
    return value;
  };
}
