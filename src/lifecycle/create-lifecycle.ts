import type { IoTClient } from '@aws-sdk/client-iot';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { iotLists, type IotLists } from '../aws/iot-lists.js';
import type { Config } from '../config.js';
import { BackfillStore } from '../inventory/backfill-store.js';
import { createInventory, type CertificateInventory } from '../inventory/inventory.js';
import { InventoryReader } from '../inventory/inventory-reader.js';
import { InventoryWriter } from '../inventory/inventory-writer.js';
import { createRetirements, type Retirements } from '../retirement/retirements.js';
import { ScheduleStore } from '../retirement/schedule-store.js';

/**
 * The parts of the certificate lifecycle both the API and the lifecycle tick use, built from the
 * clients and the configuration the same way for both (as createModeRuns builds the modes').
 * The tick itself (src/lifecycle/tick.ts) is wired only where it runs.
 */
export interface CertificateLifecycle {
  reader: InventoryReader;
  writer: InventoryWriter;
  schedule: ScheduleStore;
  jobs: BackfillStore;
  lists: IotLists;
  /** Issue 12 part B's two interfaces. */
  inventory: CertificateInventory;
  retirements: Retirements;
  /** Whether a certificate's retirement is scheduled: a rotation replaced it, its grace period runs. */
  retiring: (certificateId: string) => Promise<boolean>;
  now: () => Date;
}

export function createCertificateLifecycle(
  clients: { dynamo: DynamoDBDocumentClient; iot: IoTClient },
  config: Pick<Config, 'tableName' | 'lifecycle'>,
  now: () => Date = () => new Date(),
): CertificateLifecycle {
  const reader = new InventoryReader(clients.dynamo, config.tableName);
  const writer = new InventoryWriter(clients.dynamo, config.tableName, now);
  const schedule = new ScheduleStore(clients.dynamo, config.tableName);
  const lists = iotLists(clients.iot);
  return {
    reader,
    writer,
    schedule,
    jobs: new BackfillStore(clients.dynamo, config.tableName),
    lists,
    inventory: createInventory({ reader, writer, iot: clients.iot, now }),
    retirements: createRetirements({
      iot: clients.iot,
      lists,
      reader,
      writer,
      schedule,
      deleteAfterDays: config.lifecycle.retiredDeleteDays,
      now,
    }),
    retiring: async (certificateId) => {
      const scheduled = await schedule.get(certificateId);
      return scheduled?.action === 'retire' && scheduled.state === 'SCHEDULED';
    },
    now,
  };
}
