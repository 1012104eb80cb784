import * as asn1js from 'asn1js';
import type { RelativeDistinguishedNames } from 'pkijs';
import {
  SUBJECT_ATTRIBUTES,
  subjectTextProblem,
  validateCertInfo,
  type CertInfo,
  type DistinguishedName,
} from './cert-info.js';
import { TAG, oid, sequence, tlv } from './der.js';
import { CertificateError } from './errors.js';

/** Each attribute type's DER, encoded once. */
const ENCODED = SUBJECT_ATTRIBUTES.map((attribute) => ({ ...attribute, oidDer: oid(attribute.oid) }));

/**
 * The DER X.500 Name for `info`, one attribute per RDN, after validating it. (pkijs 4 would put
 * every attribute into a single multi-valued RDN.) C and emailAddress are validated as ASCII.
 */
export function subjectName(info: CertInfo): Buffer {
  const valid = validateCertInfo(info);
  const rdns = ENCODED.flatMap(({ field, oidDer, tag }) => {
    const value = valid[field];
    return value === undefined ? [] : [tlv(TAG.SET, sequence(oidDer, tlv(tag, Buffer.from(value))))];
  });
  return sequence(...rdns);
}

/** The attributes of a parsed Name that `certInfo` can express; others are ignored. */
export function readName(name: RelativeDistinguishedNames): DistinguishedName {
  const out: DistinguishedName = {};
  for (const { type, value } of name.typesAndValues) {
    const attribute = SUBJECT_ATTRIBUTES.find((a) => a.oid === type);
    if (attribute && value instanceof asn1js.BaseStringBlock) out[attribute.field] = value.valueBlock.value;
  }
  return out;
}

/**
 * Refuses (CERT_INFO_INVALID) a Name any of whose text attributes, those `certInfo` cannot
 * express included, holds a control or bidirectional-formatting character: a CSR's subject can
 * become the certificate's as it is. `what` names the Name, e.g. "The CSR's subject".
 */
export function checkNameText(name: RelativeDistinguishedNames, what: string): void {
  for (const { type, value } of name.typesAndValues) {
    if (!(value instanceof asn1js.BaseStringBlock)) continue;
    const problem = subjectTextProblem(value.valueBlock.value);
    if (problem === undefined) continue;
    const attribute = SUBJECT_ATTRIBUTES.find((a) => a.oid === type);
    const field = attribute === undefined ? `attribute ${type}` : `${attribute.short} (${attribute.field})`;
    throw new CertificateError('CERT_INFO_INVALID', `${what} ${field} ${problem}.`);
  }
}
