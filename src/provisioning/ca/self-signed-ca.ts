import { createPublicKey, randomBytes } from 'node:crypto';
import { keySigner } from '../../certificates/algorithms.js';
import {
  TAG,
  contextTag,
  keyIdentifier,
  oid,
  sequence,
  signed,
  spkiOf,
  tlv,
  toPem,
} from '../../certificates/der.js';
import { readPrivateKey } from '../../certificates/keys.js';
import type { CertInfo } from '../../certificates/cert-info.js';
import { subjectName } from '../../certificates/subject.js';

const DAY_MS = 86_400_000;

const extension = (id: string, critical: boolean, value: Uint8Array) =>
  critical
    ? sequence(oid(id), tlv(TAG.BOOLEAN, Buffer.of(0xff)), tlv(TAG.OCTET_STRING, value))
    : sequence(oid(id), tlv(TAG.OCTET_STRING, value));

/** RFC 5280: UTCTime through 2049, GeneralizedTime after. */
function time(date: Date): Buffer {
  const digits = date.toISOString().replace(/\D/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050
    ? tlv(TAG.UTC_TIME, Buffer.from(`${digits.slice(2)}Z`))
    : tlv(TAG.GENERALIZED_TIME, Buffer.from(`${digits}Z`));
}

/**
 * A self-signed root CA certificate for `privateKeyPem` (RSA or EC), for local set-ups and tests:
 * basicConstraints CA:TRUE, keyUsage keyCertSign + cRLSign + digitalSignature, and a subject key
 * identifier, in the same DER-by-concatenation style as the certificate layer. Production CAs are
 * made by the CA's owner, not by this service.
 */
export function createSelfSignedCa(
  privateKeyPem: string,
  subject: CertInfo,
  options: { days: number; now?: Date },
): string {
  const privateKey = readPrivateKey(privateKeyPem, 'The CA private key');
  const signer = keySigner(privateKey, 'The CA private key');
  const spki = spkiOf(createPublicKey(privateKey));
  const serial = randomBytes(16);
  serial.writeUInt8((serial.readUInt8(0) & 0x7f) | 0x40, 0);
  // A minute of slack for clocks that run a little behind ours.
  const notBefore = new Date(Math.floor(((options.now ?? new Date()).getTime() - 60_000) / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + options.days * DAY_MS);
  const name = subjectName(subject);
  const extensions = sequence(
    extension('2.5.29.19', true, sequence(tlv(TAG.BOOLEAN, Buffer.of(0xff)))),
    // digitalSignature (bit 0), keyCertSign (5), cRLSign (6); one unused trailing bit.
    extension('2.5.29.15', true, tlv(TAG.BIT_STRING, Buffer.of(1, 0x86))),
    extension('2.5.29.14', false, tlv(TAG.OCTET_STRING, keyIdentifier(spki))),
  );
  const tbs = sequence(
    contextTag(0, true, tlv(TAG.INTEGER, Buffer.of(2))),
    tlv(TAG.INTEGER, serial),
    signer.algorithmIdentifier,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    spki,
    contextTag(3, true, extensions),
  );
  return toPem('CERTIFICATE', signed(tbs, signer));
}
