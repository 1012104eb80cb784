import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createCommonServices, type CommonServices, type ServiceOverrides } from '../src/common-services.js';
import type { Config } from '../src/config.js';
import { createModeRuns } from '../src/provisioning/certificate-modes/runs.js';
import { PolicyDirectory } from '../src/provisioning/policy-directory.js';
import type { TaskRunnerDeps } from '../src/provisioning/run-task.js';
import { retireReplaced } from '../src/rotation/retire-replaced.js';
import { CompletionPublisher } from '../src/tasks/completion-events.js';

/**
 * The workers' composition root: the common services plus the task runner's needs: every
 * certificate mode's run, completion events, the account and region the templates expand with,
 * the policies this process knows, the lease and the settle time of ambiguous creates. Used by the Lambda handlers and the container; `npm start` and the tests compose
 * it beside the API's over the same common services.
 */
export interface WorkerServices extends CommonServices, TaskRunnerDeps {}

export function workerServices(common: CommonServices): WorkerServices {
  const { clients, config } = common;
  return {
    ...common,
    iot: clients.iot,
    iotCreate: clients.iotCreate,
    policies: new PolicyDirectory(),
    runs: createModeRuns(clients, config.certificates),
    events: new CompletionPublisher(common.queues.results),
    region: config.region,
    accountId: memo(async () => {
      const out = await clients.sts.send(new GetCallerIdentityCommand({}));
      if (out.Account === undefined) throw new Error('STS did not return the account id');
      return out.Account;
    }),
    leaseSeconds: config.worker.leaseSeconds,
    settleSeconds: config.worker.settleSeconds,
    // TEMPORARY until branch inventory is merged: its Retirements go here.
    replaced: retireReplaced({
      retirements: {
        retireNow: () => Promise.reject(new Error('retirement not merged yet')),
        schedule: () => Promise.reject(new Error('retirement not merged yet')),
      },
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
