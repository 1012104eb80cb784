import type { IoTClient } from '@aws-sdk/client-iot';
import type { InventoryReader } from './inventory-reader.js';
import type { InventoryWriter } from './inventory-writer.js';
import { listCertificates, thingCertificates, type CertificatePage } from './list-certificates.js';
import { DEFAULT_LIMIT } from './list-query.js';
import type { CertificateToRecord, InventoryCertificate } from './model.js';

/**
 * The certificate inventory as other features use it (rotation, issue 12 part B): record a
 * certificate, read one, list a thing's, list what expires within N days. One object over the
 * table's reader and writer and AWS IoT (for a thing's attachments).
 */
export interface CertificateInventory {
  /** Records (or updates) a certificate; facts come from its PEM, its origin is kept once known. */
  record(certificate: CertificateToRecord): Promise<void>;
  /** The record, whatever its status (retired and deleted ones too); undefined if unknown. */
  get(certificateId: string): Promise<InventoryCertificate | undefined>;
  /**
   * The certificates AWS IoT has attached to the thing that the inventory knows and that are in
   * service, soonest not-after first. Throws ThingNotFoundError for an unknown thing.
   */
  listForThing(thingName: string): Promise<InventoryCertificate[]>;
  /**
   * Certificates in service whose not-after is within `withinDays` from now (expired ones
   * included), soonest first, a page at a time: pass `nextToken` back for the next page.
   */
  listExpiring(query: { withinDays: number; limit?: number; nextToken?: string }): Promise<CertificatePage>;
}

export function createInventory(deps: {
  reader: InventoryReader;
  writer: InventoryWriter;
  iot: IoTClient;
  now?: () => Date;
}): CertificateInventory {
  return {
    record: (certificate) => deps.writer.record(certificate),
    get: (certificateId) => deps.reader.get(certificateId),
    listForThing: (thingName) => thingCertificates(thingName, deps),
    listExpiring: ({ withinDays, limit, nextToken }) =>
      listCertificates(
        {
          expiringWithinDays: withinDays,
          limit: limit ?? DEFAULT_LIMIT,
          ...(nextToken !== undefined ? { nextToken } : {}),
        },
        deps,
      ),
  };
}
