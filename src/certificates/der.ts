/**
 * DER by concatenation. Certificates and CSRs are assembled from byte strings, the constant parts
 * encoded once: building asn1js object trees per certificate cost more CPU than signing it.
 * Parsing stays with asn1js/pkijs.
 */
import { createHash, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import type { Signer, SigningAlgorithm } from './algorithms.js';

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One DER value: tag, definite length, then the contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const length = contents.reduce((sum, c) => sum + c.byteLength, 0);
  return Buffer.concat([Buffer.from([tag, ...encodeLength(length)]), ...contents]);
}

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

export const sequence = (...contents: Uint8Array[]) => tlv(TAG.SEQUENCE, ...contents);

/** `[n]` context-specific: constructed wraps DER values (EXPLICIT tags), primitive wraps raw bytes (IMPLICIT). */
export const contextTag = (n: number, constructed: boolean, ...contents: Uint8Array[]) =>
  tlv((constructed ? 0xa0 : 0x80) | n, ...contents);

export const oid = (dotted: string) => Buffer.from(new asn1js.ObjectIdentifier({ value: dotted }).toBER());

export function dottedOid(der: Uint8Array | undefined): string {
  const { result } = asn1js.fromBER(der ?? new Uint8Array());
  return result instanceof asn1js.ObjectIdentifier ? result.getValue() : 'unknown';
}

/** RFC 4055 gives PKCS#1 v1.5 identifiers NULL parameters; RFC 5758 omits them for ECDSA. */
export function algorithmIdentifier({ oid: dotted, family }: SigningAlgorithm): Buffer {
  return family === 'RSA' ? sequence(oid(dotted), tlv(TAG.NULL)) : sequence(oid(dotted));
}

/**
 * `SEQUENCE { toBeSigned, signatureAlgorithm, BIT STRING signature }`, the shape of both a
 * certificate and a CSR; the signature is computed natively over the DER of `toBeSigned`.
 */
export function signed(toBeSigned: Buffer, signer: Signer): Buffer {
  const signature = tlv(TAG.BIT_STRING, Buffer.of(0), signer.sign(toBeSigned));
  return sequence(toBeSigned, signer.algorithmIdentifier, signature);
}

/** The values directly inside a constructed DER value, e.g. a SEQUENCE's fields, each with its header. */
export function fieldsOf(der: Uint8Array): Uint8Array[] {
  const { start, end } = extent(der, 0);
  const fields: Uint8Array[] = [];
  for (let offset = start; offset < end;) {
    const field = extent(der, offset);
    fields.push(der.subarray(offset, field.end));
    offset = field.end;
  }
  return fields;
}

/** Where the contents of the DER value at `offset` start and end. */
function extent(der: Uint8Array, offset: number): { start: number; end: number } {
  const first = der[offset + 1] ?? 0;
  let start = offset + 2;
  let length = first;
  if (first & 0x80) {
    const stop = start + (first & 0x7f);
    for (length = 0; start < stop; start++) length = length * 256 + (der[start] ?? 0);
  }
  return { start, end: Math.min(start + length, der.byteLength) };
}

/** Exports are slow in OpenSSL 3 (~0.1 ms): remember each key's, which is canonical DER. */
const spkis = new WeakMap<KeyObject, Buffer>();

export function spkiOf(key: KeyObject): Buffer {
  let spki = spkis.get(key);
  if (!spki) spkis.set(key, (spki = key.export({ type: 'spki', format: 'der' })));
  return spki;
}

/** RFC 5280 section 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING, less its unused-bits byte. */
export function keyIdentifier(spki: Uint8Array): Buffer {
  const bitString = fieldsOf(spki)[1] ?? new Uint8Array();
  const keyBits = bitString.subarray(extent(bitString, 0).start + 1);
  return createHash('sha1').update(keyBits).digest();
}

export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let body = '';
  for (let i = 0; i < base64.length; i += 64) body += base64.slice(i, i + 64) + '\n';
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}
