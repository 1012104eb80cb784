import * as asn1js from 'asn1js';
import type { RelativeDistinguishedNames } from 'pkijs';
import { TAG, oid, sequence, tlv } from './der.js';
import { CertificateError } from './errors.js';

/** CDF's `certInfo`: the device certificate's subject and lifetime. */
export interface CertInfo {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  locality?: string;
  stateName?: string;
  country: string;
  emailAddress?: string;
  daysExpiry?: number;
}

type NameField = Exclude<keyof CertInfo, 'daysExpiry'>;
export type DistinguishedName = Partial<Record<NameField, string>>;

/** Beyond this a typo is likelier than intent; the same bound as the request schema. */
export const MAX_DAYS_EXPIRY = 36_500;

/**
 * In the order OpenSSL and CDF write them. Upper bounds are RFC 5280 Appendix A's; C is a
 * PrintableString and emailAddress an IA5String as RFC 5280 requires, the rest UTF8String.
 */
const attribute = (field: NameField, dotted: string, maxLength: number, tag: number) => ({
  field,
  oid: dotted,
  oidDer: oid(dotted),
  maxLength,
  tag,
});
const ATTRIBUTES = [
  attribute('country', '2.5.4.6', 2, TAG.PRINTABLE_STRING),
  attribute('stateName', '2.5.4.8', 128, TAG.UTF8_STRING),
  attribute('locality', '2.5.4.7', 128, TAG.UTF8_STRING),
  attribute('organization', '2.5.4.10', 64, TAG.UTF8_STRING),
  attribute('organizationalUnit', '2.5.4.11', 64, TAG.UTF8_STRING),
  attribute('commonName', '2.5.4.3', 64, TAG.UTF8_STRING),
  attribute('emailAddress', '1.2.840.113549.1.9.1', 255, TAG.IA5_STRING),
];

function invalid(message: string): CertificateError {
  return new CertificateError('CERT_INFO_INVALID', message);
}

function checkAttribute(field: NameField, value: unknown, maxLength: number): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`certInfo.${field} must be a non-empty string.`);
  }
  if (value.length > maxLength) {
    throw invalid(`certInfo.${field} must be at most ${maxLength} characters (RFC 5280).`);
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw invalid(`certInfo.${field} must not contain control characters.`);
  }
}

/** `what` is how the caller spelled the number, e.g. `certInfo.daysExpiry`. */
export function checkDays(days: unknown, what = 'certInfo.daysExpiry'): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_DAYS_EXPIRY) {
    throw invalid(`${what} must be a whole number of days from 1 to ${MAX_DAYS_EXPIRY}.`);
  }
  return days;
}

/** Checks `certInfo` as AWS IoT and RFC 5280 need it; returns it with the country upper-cased. */
export function validateCertInfo(info: CertInfo): CertInfo {
  // Typed callers cannot pass null, but JSON-fed ones can.
  if (typeof info !== 'object' || (info as CertInfo | null) === null) {
    throw invalid('certInfo must be an object.');
  }
  if (typeof info.country !== 'string' || !/^[A-Za-z]{2}$/.test(info.country)) {
    throw invalid('certInfo.country is required and must be a two-letter ISO 3166 country code, e.g. "US".');
  }
  for (const { field, maxLength } of ATTRIBUTES) {
    if (info[field] !== undefined) checkAttribute(field, info[field], maxLength);
  }
  if (info.emailAddress !== undefined && !/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(info.emailAddress)) {
    throw invalid('certInfo.emailAddress must be a plain ASCII e-mail address such as "ops@example.com".');
  }
  if (info.daysExpiry !== undefined) checkDays(info.daysExpiry);
  return { ...info, country: info.country.toUpperCase() };
}

/**
 * The DER X.500 Name for `info`, one attribute per RDN, after validating it. (pkijs 4 would put
 * every attribute into a single multi-valued RDN.) C and emailAddress are validated as ASCII.
 */
export function subjectName(info: CertInfo): Buffer {
  const valid = validateCertInfo(info);
  const rdns = ATTRIBUTES.flatMap(({ field, oidDer, tag }) => {
    const value = valid[field];
    return value === undefined ? [] : [tlv(TAG.SET, sequence(oidDer, tlv(tag, Buffer.from(value))))];
  });
  return sequence(...rdns);
}

/** The attributes of a parsed Name that `certInfo` can express; others are ignored. */
export function readName(name: RelativeDistinguishedNames): DistinguishedName {
  const out: DistinguishedName = {};
  for (const { type, value } of name.typesAndValues) {
    const attribute = ATTRIBUTES.find((a) => a.oid === type);
    if (attribute && value instanceof asn1js.BaseStringBlock) out[attribute.field] = value.valueBlock.value;
  }
  return out;
}
