import type { IoTClient } from '@aws-sdk/client-iot';
import { createCommonServices, type CommonServices, type ServiceOptions } from '../src/common-services.js';
import type { Config } from '../src/config.js';
import { readinessCheck, type ReadinessReport } from '../src/health/readiness.js';
import { createCertificateLifecycle, type CertificateLifecycle } from '../src/lifecycle/create-lifecycle.js';
import { createModeChecks } from '../src/provisioning/certificate-modes/checks.js';
import type { FleetSubmitDeps } from '../src/rotation/submit-fleet-rotation.js';
import type { RotationSubmitDeps } from '../src/rotation/submit-rotation.js';
import { S3ObjectWriter } from '../src/storage/s3-object-writer.js';
import type { ObjectWriter } from '../src/storage/object-store.js';
import { ListingIndex } from '../src/tasks/listing-index.js';
import { TaskWaiter } from '../src/tasks/wait-for-task.js';
import { TemplateBucket } from '../src/template-admin/template-bucket.js';
import { CERTIFICATE_MODE_NAMES, type CertificateModeName } from '../src/templates/cdf-block.js';

/**
 * The API's composition root: the common services plus what only the API uses: the IoT client of
 * the thing endpoints, the object writer of template administration, inline bulk input and upload
 * URLs, the listing index, the waiter of `Prefer: wait`, the certificate modes it offers (their
 * submit-time checks come with admission), the certificate lifecycle (inventory, retirement by
 * hand, backfill jobs) and what rotations (one thing, or a fleet) are resolved and checked with. It wires no
 * certificate mode's run, so the API bundle, and its IAM role, can create no certificate.
 */
export interface ApiServices extends CommonServices {
  iot: IoTClient;
  objectWriter: ObjectWriter;
  templateBucket: TemplateBucket;
  /** The newest-first lists of tasks and bulk tasks. */
  listing: ListingIndex;
  /** `Prefer: wait`: learns how long tasks take, to read them seldom. */
  waiter: TaskWaiter;
  /** What `PUT /templates` accepts; the workers run every one of them. */
  offeredModes: readonly CertificateModeName[];
  /** The certificate inventory, retirement and backfill jobs (README: Certificate lifecycle). */
  lifecycle: CertificateLifecycle;
  /** `POST /things/{thingName}/certificates/rotations`: what a rotation is resolved and checked with. */
  rotations: RotationSubmitDeps;
  /** `POST /certificates/rotations`: a fleet rotation, submitted as a bulk task. */
  fleetRotations: FleetSubmitDeps;
  /** `GET /health/ready`: the table, the queues the API sends to, the bucket, the KMS key. */
  readiness: () => Promise<ReadinessReport>;
}

export function apiServices(common: CommonServices): ApiServices {
  const objectWriter = new S3ObjectWriter(common.clients.s3);
  const lifecycle = createCertificateLifecycle(common.clients, common.config);
  const checks = createModeChecks(common.clients, common.config.certificates);
  return {
    ...common,
    iot: common.clients.iot,
    objectWriter,
    templateBucket: new TemplateBucket(common.objects, objectWriter, common.config.templates),
    listing: new ListingIndex(common.clients.dynamo, common.config.tableName),
    waiter: new TaskWaiter(common.tasks),
    offeredModes: CERTIFICATE_MODE_NAMES,
    lifecycle,
    rotations: {
      ...common,
      iot: common.clients.iot,
      inventory: lifecycle.inventory,
      retiring: lifecycle.retiring,
      region: common.config.region,
      accountId: async () => (await common.identity()).accountId,
      checks,
    },
    fleetRotations: { ...common, objectWriter, iot: common.clients.iot, checks },
    readiness: readinessCheck({
      ...common,
      queueNames: [common.config.queues.requests, common.config.queues.bulk],
    }),
  };
}

export async function createApiServices(config: Config, options: ServiceOptions): Promise<ApiServices> {
  return apiServices(await createCommonServices(config, options));
}
