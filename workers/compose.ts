import { createCommonServices, type CommonServices, type ServiceOptions } from '../src/common-services.js';
import type { Config } from '../src/config.js';
import { readinessCheck, type ReadinessReport } from '../src/health/readiness.js';
import { InventoryWriter } from '../src/inventory/inventory-writer.js';
import { createCertificateLifecycle } from '../src/lifecycle/create-lifecycle.js';
import { taskRecorder } from '../src/inventory/task-recorder.js';
import { createModeRuns } from '../src/provisioning/certificate-modes/runs.js';
import { PolicyDirectory } from '../src/provisioning/policy-directory.js';
import type { TaskRunnerDeps } from '../src/provisioning/run-task.js';
import type { FleetInput } from '../src/bulk/plan.js';
import type { RotationLines } from '../src/bulk/rotation-line.js';
import { fleetInput } from '../src/rotation/fleet-input.js';
import { fleetRotationLines } from '../src/rotation/fleet-lines.js';
import { retireReplaced } from '../src/rotation/retire-replaced.js';
import { putObject } from '../src/storage/s3-put-object.js';

/**
 * The workers' composition root: the common services plus the task runner's needs: every
 * certificate mode's run, the account and region the templates expand with, the policies this
 * process knows, the lease and the settle time of ambiguous creates, the certificate inventory's
 * recorder of what the tasks made, the retirement a rotation asks for, and a fleet rotation's
 * selection and lines. Used by the Lambda
 * handlers and the container; `npm start` and the tests compose it beside the API's over the same
 * common services.
 */
export interface WorkerServices extends CommonServices, TaskRunnerDeps {
  /** A fleet rotation: its selection written as its input file, each line resolved into a rotation. */
  fleetInput: FleetInput;
  rotationLines: RotationLines;
}

export function workerServices(common: CommonServices): WorkerServices {
  const { clients, config } = common;
  const accountId = async () => (await common.identity()).accountId;
  const lifecycle = createCertificateLifecycle(clients, config);
  return {
    ...common,
    iot: clients.iot,
    iotCreate: clients.iotCreate,
    policies: new PolicyDirectory(),
    runs: createModeRuns(clients, config.certificates, common.chains),
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
    settleSeconds: config.worker.settleSeconds,
    replaced: retireReplaced({ retirements: lifecycle.retirements, logger: common.logger }),
    fleetInput: fleetInput({
      iot: clients.iot,
      inventory: lifecycle.inventory,
      retiring: lifecycle.retiring,
      put: (at, body, contentType) => putObject(clients.s3, at, body, contentType),
    }),
    rotationLines: fleetRotationLines({
      iot: clients.iot,
      inventory: lifecycle.inventory,
      retiring: lifecycle.retiring,
      region: config.region,
      accountId,
    }),
  };
}

export async function createWorkerServices(config: Config, options: ServiceOptions): Promise<WorkerServices> {
  return workerServices(await createCommonServices(config, options));
}

/** The container's readiness: the table, the four queues it reads and sends to, the bucket, KMS. */
export function workerReadiness(services: WorkerServices): () => Promise<ReadinessReport> {
  const { queues } = services.config;
  return readinessCheck({
    ...services,
    queueNames: [queues.requests, queues.requestsDlq, queues.bulk, queues.bulkDlq],
  });
}
