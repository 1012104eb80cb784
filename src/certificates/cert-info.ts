import Type, { type Static } from 'typebox';
import { TAG } from './der.js';
import { CertificateError } from './errors.js';

/**
 * CDF's `certInfo`, the device certificate's subject and lifetime, defined once: the request
 * schema (`cdfProvisioningParameters.certInfo`) is built from the table below, and
 * `validateCertInfo` applies the same limits to callers that bypass the schema (a CSR's subject,
 * typed callers) plus what a schema cannot say well (control and bidi characters, e-mail shape).
 */
export type SubjectField =
  | 'commonName'
  | 'organization'
  | 'organizationalUnit'
  | 'locality'
  | 'stateName'
  | 'country'
  | 'emailAddress';

export interface SubjectAttribute {
  field: SubjectField;
  /** The X.500 attribute type, dotted. */
  oid: string;
  /** Its short name in a distinguished name, for messages. */
  short: string;
  /** RFC 5280 Appendix A upper bound, in characters. */
  maxLength: number;
  /** The ASN.1 string type RFC 5280 requires (country PrintableString, e-mail IA5String). */
  tag: number;
}

const attribute = (
  field: SubjectField,
  oid: string,
  short: string,
  maxLength: number,
  tag: number = TAG.UTF8_STRING,
): SubjectAttribute => ({ field, oid, short, maxLength, tag });

/** In the order OpenSSL and CDF write them. */
export const SUBJECT_ATTRIBUTES: readonly SubjectAttribute[] = [
  attribute('country', '2.5.4.6', 'C', 2, TAG.PRINTABLE_STRING),
  attribute('stateName', '2.5.4.8', 'ST', 128),
  attribute('locality', '2.5.4.7', 'L', 128),
  attribute('organization', '2.5.4.10', 'O', 64),
  attribute('organizationalUnit', '2.5.4.11', 'OU', 64),
  attribute('commonName', '2.5.4.3', 'CN', 64),
  // RFC 5280 raised ub-emailaddress-length from RFC 3280's 128 to 255, to match PKCS #9.
  attribute('emailAddress', '1.2.840.113549.1.9.1', 'emailAddress', 255, TAG.IA5_STRING),
];

/** Beyond this a typo is likelier than intent. */
export const MAX_DAYS_EXPIRY = 36_500;

const limit = (field: SubjectField) => SUBJECT_ATTRIBUTES.find((a) => a.field === field)?.maxLength ?? 0;
const text = (field: SubjectField, minLength = 1) =>
  Type.Optional(Type.String({ minLength, maxLength: limit(field) }));

export const CertInfo = Type.Object(
  {
    commonName: text('commonName'),
    organization: text('organization'),
    organizationalUnit: text('organizationalUnit'),
    locality: text('locality'),
    stateName: text('stateName'),
    country: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166 two-letter country code' }),
    emailAddress: text('emailAddress', 3),
    daysExpiry: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DAYS_EXPIRY })),
  },
  { additionalProperties: false },
);
export type CertInfo = Static<typeof CertInfo>;
export type DistinguishedName = Partial<Record<SubjectField, string>>;

function invalid(message: string): CertificateError {
  return new CertificateError('CERT_INFO_INVALID', message);
}

/**
 * C0 and C1 controls and DEL (`\p{Cc}`), and the bidirectional formatting characters (LRM, RLM,
 * ALM, the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069): a subject that
 * holds them can display as something other than what it is, e.g. U+202E reverses the text after
 * it in every log and console that shows the certificate.
 */
const UNSAFE_CHARACTER = /[\p{Cc}\p{Bidi_Control}]/u;

/**
 * What is wrong with the text of a subject attribute, or undefined: an unpaired surrogate (which
 * UTF-8 cannot encode) or a character from UNSAFE_CHARACTER, named by its code point.
 */
export function subjectTextProblem(value: string): string | undefined {
  if (!value.isWellFormed()) return 'must be well-formed Unicode (it holds an unpaired UTF-16 surrogate)';
  const found = UNSAFE_CHARACTER.exec(value)?.[0];
  if (found === undefined) return undefined;
  const codePoint = `U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  return `must not contain control or bidirectional-formatting characters (found ${codePoint})`;
}

function checkAttribute({ field, maxLength }: SubjectAttribute, value: unknown): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`certInfo.${field} must be a non-empty string.`);
  }
  // RFC 5280's bounds count characters, as the request schema does: code points, not UTF-16 units.
  if (codePoints(value) > maxLength) {
    throw invalid(`certInfo.${field} must be at most ${maxLength} characters (RFC 5280).`);
  }
  const problem = subjectTextProblem(value);
  if (problem !== undefined) throw invalid(`certInfo.${field} ${problem}.`);
}

/** Characters as RFC 5280 and the request schema count them: a surrogate pair is one. */
const codePoints = (value: string) =>
  value.length - (value.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);

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
  for (const attribute of SUBJECT_ATTRIBUTES) {
    if (Object.hasOwn(info, attribute.field) && info[attribute.field] !== undefined) {
      checkAttribute(attribute, info[attribute.field]);
    }
  }
  if (info.emailAddress !== undefined && !/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(info.emailAddress)) {
    throw invalid('certInfo.emailAddress must be a plain ASCII e-mail address such as "ops@example.com".');
  }
  if (info.daysExpiry !== undefined) checkDays(info.daysExpiry);
  return { ...info, country: info.country.toUpperCase() };
}
