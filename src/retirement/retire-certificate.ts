import { UpdateCertificateCommand, type IoTClient } from '@aws-sdk/client-iot';
import { awsCall } from '../aws/classify-error.js';
import type { IotLists } from '../aws/iot-lists.js';
import { unlessGone } from '../aws/unless-gone.js';
import type { InventoryReader } from '../inventory/inventory-reader.js';
import type { InventoryWriter } from '../inventory/inventory-writer.js';
import { RETIRED } from '../inventory/model.js';
import { CERTIFICATE_ID_PATTERN } from '../inventory/schemas.js';
import { CertificateStatusLockedError } from '../things/errors.js';
import { readCertificate } from '../things/get-thing.js';
import { detachPrincipal } from '../things/release-certificate.js';
import { certificateIdOf, checkThingName } from '../things/thing-name.js';
import {
  CertificateIdInvalidError,
  CertificateNotAttachedError,
  CertificateNotFoundError,
  CertificateSharedError,
  LastActiveCertificateError,
} from './errors.js';

export interface RetireDeps {
  iot: IoTClient;
  lists: IotLists;
  reader: Pick<InventoryReader, 'get'>;
  writer: Pick<InventoryWriter, 'retired'>;
  now: () => Date;
}

export interface RetireRequest {
  thingName: string;
  certificateId: string;
  /** Retire the thing's last ACTIVE certificate too. */
  force?: boolean;
}

export interface Retired {
  certificateId: string;
  thingName: string;
  retiredAt: string;
  /** It had been retired before: nothing was changed now. */
  already: boolean;
}

const certificateId = new RegExp(CERTIFICATE_ID_PATTERN);

export function checkCertificateId(id: string): string {
  if (!certificateId.test(id)) throw new CertificateIdInvalidError(id);
  return id;
}

/**
 * Retires a thing's certificate: sets it INACTIVE, records it RETIRED in the inventory, then
 * detaches it from the thing. Its policies stay attached to it (a retired certificate can be put
 * back in service) until it is deleted.
 *
 * Refused before anything changes: a certificate another thing also uses (409), one in transfer
 * (409), the thing's only ACTIVE certificate unless `force` (409: the device would be left unable
 * to connect), one that is not the thing's (404).
 *
 * The order makes a repeat finish what a failure left: deactivated first, the certificate is still
 * attached, so a repeated request finds it; recorded before the detach, a certificate found
 * detached is known as the thing's and retired. A certificate already retired and still inactive
 * answers as retired, changing nothing.
 */
export async function retireCertificate(request: RetireRequest, deps: RetireDeps): Promise<Retired> {
  const thingName = checkThingName(request.thingName);
  const id = checkCertificateId(request.certificateId);
  const certificate = await readCertificate(deps.iot, id);
  if (certificate === undefined) throw new CertificateNotFoundError(id);

  const things = (await unlessGone(() => deps.lists.principalThings(certificate.arn))) ?? [];
  const attached = things.includes(thingName);
  if (!attached) {
    // Not this thing's (whoever else it belongs to), unless this thing's retirement detached it.
    const known = await deps.reader.get(id);
    if (known?.thingName !== thingName) throw new CertificateNotAttachedError(id, thingName);
    if (known.status === RETIRED && certificate.certificateStatus !== 'ACTIVE') {
      return { certificateId: id, thingName, retiredAt: known.retiredAt ?? known.updatedAt, already: true };
    }
  }
  const others = things.filter((t) => t !== thingName);
  if (others.length > 0) throw new CertificateSharedError(id, others);
  if (certificate.certificateStatus === 'PENDING_TRANSFER') {
    throw new CertificateStatusLockedError(id, 'PENDING_TRANSFER', 'INACTIVE');
  }
  if (certificate.certificateStatus === 'ACTIVE' && request.force !== true) {
    if (!(await hasAnotherActiveCertificate(thingName, certificate.arn, deps))) {
      throw new LastActiveCertificateError(id, thingName);
    }
  }

  if (certificate.certificateStatus === 'ACTIVE') {
    await awsCall(`deactivating certificate ${id}`, () =>
      deps.iot.send(new UpdateCertificateCommand({ certificateId: id, newStatus: 'INACTIVE' })),
    );
  }
  const retiredAt = deps.now().toISOString();
  await deps.writer.retired({
    certificateId: id,
    certificateArn: certificate.arn,
    certificatePem: certificate.certificatePem,
    thingName,
    retiredAt,
  });
  if (attached) await detachPrincipal(deps.iot, thingName, certificate.arn);
  return { certificateId: id, thingName, retiredAt, already: false };
}

/**
 * Whether the thing keeps an ACTIVE certificate other than `principal`. A thing that no longer
 * exists has no device left to protect: true.
 */
async function hasAnotherActiveCertificate(
  thingName: string,
  principal: string,
  deps: RetireDeps,
): Promise<boolean> {
  const principals = await unlessGone(() => deps.lists.thingPrincipals(thingName));
  if (principals === undefined) return true;
  const others = principals.filter((p) => p !== principal).flatMap((p) => certificateIdOf(p) ?? []);
  const statuses = await Promise.all(others.map((other) => readCertificate(deps.iot, other)));
  return statuses.some((c) => c?.certificateStatus === 'ACTIVE');
}
