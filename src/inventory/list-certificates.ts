import type { IoTClient } from '@aws-sdk/client-iot';
import { iotLists } from '../aws/iot-lists.js';
import { unlessGone } from '../aws/unless-gone.js';
import { ThingNotFoundError } from '../things/errors.js';
import { certificateIdOf } from '../things/thing-name.js';
import type { InventoryReader } from './inventory-reader.js';
import { decodeToken, encodeToken, type ListQuery, type PagePosition } from './list-query.js';
import { OUT_OF_SERVICE, type InventoryCertificate } from './model.js';

export interface ListDeps {
  reader: InventoryReader;
  iot: IoTClient;
  now?: () => Date;
}

export interface CertificatePage {
  certificates: InventoryCertificate[];
  nextToken?: string;
}

const DAY_MS = 86_400_000;
export const sortKeyOf = (c: Pick<InventoryCertificate, 'notAfter' | 'certificateId'>) =>
  `${c.notAfter}#${c.certificateId}`;

/**
 * `GET /certificates`: the certificates in service, soonest not-after first (expired ones first
 * of all), optionally only those expiring within N days and only those of one thing. The fleet
 * comes from the expiry index; a thing's certificates are those AWS IoT has attached to it (the
 * truth about attachments) that the inventory knows.
 */
export async function listCertificates(query: ListQuery, deps: ListDeps): Promise<CertificatePage> {
  const position: PagePosition =
    query.nextToken !== undefined
      ? decodeToken(query, query.nextToken)
      : { before: cutoff(query, deps.now?.() ?? new Date()), after: '' };
  const after = position.after === '' ? undefined : position.after;

  let certificates: InventoryCertificate[];
  let more: boolean;
  if (query.thingName === undefined) {
    ({ certificates, more } = await deps.reader.expiring({
      before: position.before ?? undefined,
      after,
      limit: query.limit,
    }));
  } else {
    const all = (await thingCertificates(query.thingName, deps))
      .filter((c) => position.before === null || c.notAfter < position.before)
      .filter((c) => after === undefined || sortKeyOf(c) > after);
    certificates = all.slice(0, query.limit);
    more = all.length > query.limit;
  }
  const last = certificates.at(-1);
  return {
    certificates,
    ...(more && last !== undefined
      ? { nextToken: encodeToken(query, { before: position.before, after: sortKeyOf(last) }) }
      : {}),
  };
}

/** The in-service certificates attached to the thing that the inventory knows, soonest first. */
export async function thingCertificates(thingName: string, deps: ListDeps): Promise<InventoryCertificate[]> {
  const principals = await unlessGone(() => iotLists(deps.iot).thingPrincipals(thingName));
  if (principals === undefined) throw new ThingNotFoundError(thingName);
  const ids = principals.flatMap((p) => certificateIdOf(p) ?? []);
  const known = await deps.reader.getMany(ids);
  return known
    .filter((c) => !OUT_OF_SERVICE.has(c.status))
    .sort((a, b) => (sortKeyOf(a) < sortKeyOf(b) ? -1 : 1));
}

function cutoff(query: ListQuery, now: Date): string | null {
  return query.expiringWithinDays === undefined
    ? null
    : new Date(now.getTime() + query.expiringWithinDays * DAY_MS).toISOString();
}
