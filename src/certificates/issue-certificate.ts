import { randomBytes, type KeyObject } from 'node:crypto';
import { acceptedKey } from './algorithms.js';
import type { CaSigner } from './ca-signer.js';
import { checkValidity } from './check-certificate.js';
import { TAG, contextTag, keyIdentifier, oid, sequence, signed, spkiOf, tlv, toPem } from './der.js';
import { CertificateError } from './errors.js';
import { readPublicKey } from './keys.js';
import { checkDays, type CertInfo } from './cert-info.js';
import { subjectName } from './subject.js';

export interface IssueRequest {
  /** The device's public key: a KeyObject or SubjectPublicKeyInfo PEM. */
  publicKey: KeyObject | string;
  subject: CertInfo;
  /** Lifetime in days, from `now`. */
  days: number;
  now?: Date;
}

const DAY_MS = 86_400_000;

const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
};

const extension = (id: string, critical: boolean, value: Uint8Array) =>
  critical
    ? sequence(oid(id), tlv(TAG.BOOLEAN, Buffer.of(0xff)), tlv(TAG.OCTET_STRING, value))
    : sequence(oid(id), tlv(TAG.OCTET_STRING, value));

// The same in every device certificate, so encoded once.
const VERSION_3 = contextTag(0, true, tlv(TAG.INTEGER, Buffer.of(2)));
const END_ENTITY = extension(OID.basicConstraints, true, sequence());
const CLIENT_AUTH = extension(OID.extKeyUsage, false, sequence(oid(OID.clientAuth)));
/** digitalSignature, plus keyEncipherment for RSA (TLS key transport); DER drops trailing zero bits. */
const KEY_USAGE = {
  EC: extension(OID.keyUsage, true, tlv(TAG.BIT_STRING, Buffer.of(7, 0x80))),
  RSA: extension(OID.keyUsage, true, tlv(TAG.BIT_STRING, Buffer.of(5, 0xa0))),
};

/** 16 random bytes, positive and without a leading zero byte: always exactly 16 bytes of DER content. */
function serialNumber(): Buffer {
  const serial = randomBytes(16);
  serial.writeUInt8((serial.readUInt8(0) & 0x7f) | 0x40, 0);
  return tlv(TAG.INTEGER, serial);
}

/** RFC 5280: UTCTime (YYMMDDHHMMSSZ) through 2049, GeneralizedTime (YYYYMMDDHHMMSSZ) after. */
function time(date: Date): Buffer {
  const digits = date.toISOString().replace(/\D/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050
    ? tlv(TAG.UTC_TIME, Buffer.from(`${digits.slice(2)}Z`))
    : tlv(TAG.GENERALIZED_TIME, Buffer.from(`${digits}Z`));
}

/** `now` to `now + days` in whole seconds, inside the validity of the CA certificate. */
function validity(signer: CaSigner, now: Date, requestedDays: number): Buffer {
  const days = checkDays(requestedDays, 'days');
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * DAY_MS);
  const ca = checkValidity(signer.certificate, notBefore, 'The CA certificate');
  if (notAfter > ca.notAfter) {
    const allowed = Math.floor((ca.notAfter.getTime() - notBefore.getTime()) / DAY_MS);
    throw new CertificateError(
      'CERT_INFO_INVALID',
      `A ${days}-day certificate would outlive its CA certificate (valid until ${ca.notAfter.toISOString()}); ask for at most ${allowed} days.`,
    );
  }
  return sequence(time(notBefore), time(notAfter));
}

/** An X.509 v3 TLS client certificate for a device, signed by `signer`, as PEM. */
export function issueDeviceCertificate(signer: CaSigner, request: IssueRequest): string {
  const what = "The device's public key";
  const publicKey =
    typeof request.publicKey === 'string' ? readPublicKey(request.publicKey, what) : request.publicKey;
  const { family } = acceptedKey(publicKey, what);
  const spki = spkiOf(publicKey);

  const extensions = sequence(
    END_ENTITY,
    KEY_USAGE[family],
    CLIENT_AUTH,
    extension(OID.subjectKeyIdentifier, false, tlv(TAG.OCTET_STRING, keyIdentifier(spki))),
    extension(OID.authorityKeyIdentifier, false, sequence(contextTag(0, false, signer.keyIdentifier))),
  );
  const tbs = sequence(
    VERSION_3,
    serialNumber(),
    signer.algorithmIdentifier,
    signer.issuer,
    validity(signer, request.now ?? new Date(), request.days),
    subjectName(request.subject),
    spki,
    contextTag(3, true, extensions),
  );
  return toPem('CERTIFICATE', signed(tbs, signer));
}
