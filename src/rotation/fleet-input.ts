import {
  paginateListThingsInThingGroup,
  ResourceNotFoundException,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { MAX_PAGE_SIZE } from '../aws/iot-lists.js';
import type { FleetInput } from '../bulk/plan.js';
import { ROTATION_COLUMNS } from '../bulk/rotation-line.js';
import type { BulkTask, FleetSelection } from '../bulk/model.js';
import type { CertificateInventory } from '../inventory/inventory.js';
import type { ObjectLocation } from '../storage/object-store.js';
import { InternalError } from '../errors.js';
import { ThingGroupNotFoundError } from './errors.js';

export interface FleetInputDeps {
  iot: IoTClient;
  inventory: Pick<CertificateInventory, 'listExpiring'>;
  /** Whether a certificate is already being retired: replaced by an earlier rotation. */
  retiring: (certificateId: string) => Promise<boolean>;
  /** Stores the input file (src/storage/s3-put-object.ts). */
  put: (at: ObjectLocation, body: Uint8Array, contentType: string) => Promise<unknown>;
}

/** Inventory pages read at a time for "expiring within N days". */
const EXPIRING_PAGE = 1000;

/**
 * Writes a fleet rotation's input file from its selection, one NDJSON line per thing: a thing
 * group's things (ListThingsInThingGroup, every page), or the things of the certificates in
 * service that expire within N days, soonest first (the inventory's lifecycle index) with the
 * certificate to replace named on the line. A thing appears once, on its first line; a
 * certificate already being retired (replaced by an earlier rotation) is not rotated again.
 *
 * The file is built in memory and written once: a few MB at 100,000 things. S3 replaces it whole,
 * so a plan message delivered twice never sees half a file.
 */
export function fleetInput(deps: FleetInputDeps): FleetInput {
  return {
    async write(task: BulkTask) {
      const selection = task.rotation?.selection;
      if (selection === undefined || selection.kind === 'things') {
        throw new InternalError(
          'FLEET_SELECTION_MISSING',
          `Bulk task ${task.taskId} has no selection to read`,
        );
      }
      const lines: string[] = [];
      for await (const line of selectedLines(selection, deps)) lines.push(JSON.stringify(line));
      const body = lines.length > 0 ? `${lines.join('\n')}\n` : '';
      await deps.put(task.input, Buffer.from(body, 'utf8'), 'application/x-ndjson; charset=utf-8');
    },
  };
}

type SelectedLine = Record<string, string>;

async function* selectedLines(
  selection: Exclude<FleetSelection, { kind: 'things' }>,
  deps: FleetInputDeps,
): AsyncGenerator<SelectedLine> {
  if (selection.kind === 'thingGroup') {
    yield* groupThings(selection.thingGroupName, selection.recursive, deps.iot);
    return;
  }
  const seen = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await deps.inventory.listExpiring({
      withinDays: selection.withinDays,
      limit: EXPIRING_PAGE,
      ...(nextToken !== undefined ? { nextToken } : {}),
    });
    for (const certificate of page.certificates) {
      const { thingName, certificateId } = certificate;
      // A certificate on no thing has no device to give a new one to.
      if (thingName === undefined || seen.has(thingName)) continue;
      if (await deps.retiring(certificateId)) continue;
      seen.add(thingName);
      yield { [ROTATION_COLUMNS.thing]: thingName, [ROTATION_COLUMNS.certificate]: certificateId };
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
}

async function* groupThings(
  groupName: string,
  recursive: boolean,
  iot: IoTClient,
): AsyncGenerator<SelectedLine> {
  try {
    const pages = paginateListThingsInThingGroup(
      { client: iot, pageSize: MAX_PAGE_SIZE, stopOnSameToken: true },
      { thingGroupName: groupName, recursive },
    );
    for await (const page of pages) {
      for (const thingName of page.things ?? []) yield { [ROTATION_COLUMNS.thing]: thingName };
    }
  } catch (e: unknown) {
    if (e instanceof ResourceNotFoundException) {
      throw new ThingGroupNotFoundError(groupName, { cause: e });
    }
    throw e;
  }
}
