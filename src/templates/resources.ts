import { CertificateError, checkCertificatePem, parseCsr, readCertificate } from '../certificates/index.js';
import { fail, type TemplateErrorCode } from './errors.js';
import { at, defined, describe, isObject, type Json, type JsonObject } from './json.js';
import type {
  ExpandedCertificate,
  ExpandedPolicy,
  ExpandedThing,
  OverrideAction,
  ResourceType,
  TemplateCertificateStatus,
} from './types.js';

export interface ResourceSpec {
  /** The properties AWS IoT documents for the type (and this service implements). */
  properties: readonly string[];
  /** Documented by AWS IoT but not implemented here: refused as TEMPLATE_UNSUPPORTED. */
  unsupported: readonly string[];
  /** Exactly one of these must be set. */
  exactlyOne: readonly string[];
  /** Properties allowed only together with another one. */
  requires: Readonly<Record<string, string>>;
  /** What OverrideSettings may name, and the actions each accepts. */
  overrides: Readonly<Record<string, readonly OverrideAction[]>>;
}

const ANY: readonly OverrideAction[] = ['DO_NOTHING', 'REPLACE', 'FAIL', 'MERGE'];
/** AWS IoT: MERGE is valid only for a thing's ThingGroups and AttributePayload. */
const NO_MERGE: readonly OverrideAction[] = ['DO_NOTHING', 'REPLACE', 'FAIL'];

export const RESOURCE_SPECS: Readonly<Record<ResourceType, ResourceSpec>> = {
  'AWS::IoT::Thing': {
    properties: ['ThingName', 'AttributePayload', 'ThingTypeName', 'ThingGroups', 'BillingGroup'],
    unsupported: ['PackageVersions'],
    exactlyOne: ['ThingName'],
    requires: {},
    overrides: { AttributePayload: ANY, ThingTypeName: NO_MERGE, ThingGroups: ANY },
  },
  'AWS::IoT::Certificate': {
    properties: [
      'CertificateSigningRequest',
      'CertificateId',
      'CertificatePem',
      'CACertificatePem',
      'Status',
    ],
    unsupported: [],
    exactlyOne: ['CertificateSigningRequest', 'CertificateId', 'CertificatePem'],
    requires: { CACertificatePem: 'CertificatePem' },
    overrides: { Status: NO_MERGE },
  },
  'AWS::IoT::Policy': {
    properties: ['PolicyName', 'PolicyDocument'],
    unsupported: [],
    exactlyOne: ['PolicyName', 'PolicyDocument'],
    requires: {},
    overrides: {},
  },
};

/**
 * Checks which of the mutually exclusive properties are set. Before expansion (`strict` false) a
 * property may still turn out to be AWS::NoValue, so only "at least one is written" can be known.
 */
export function checkPresence(
  spec: ResourceSpec,
  present: readonly string[],
  path: string,
  strict: boolean,
): void {
  const code: TemplateErrorCode = strict ? 'TEMPLATE_PROPERTY_INVALID' : 'TEMPLATE_INVALID';
  const { exactlyOne } = spec;
  const set = exactlyOne.filter((name) => present.includes(name));
  if (set.length === 0 || (strict && set.length > 1)) {
    const wanted =
      exactlyOne.length === 1
        ? `${exactlyOne.join()} is required`
        : `set exactly one of ${exactlyOne.join(', ')}`;
    fail(code, path, set.length === 0 ? wanted : `${wanted}, not both ${set.join(' and ')}`);
  }
  for (const [name, needed] of Object.entries(spec.requires)) {
    if (present.includes(name) && !present.includes(needed)) {
      fail(code, at(path, name), `is only allowed together with ${needed}`);
    }
  }
}

interface Rule {
  pattern: RegExp;
  what: string;
}

/** Things, thing types, thing groups and billing groups share AWS IoT's naming rule. */
const registryName = (what: string): Rule => ({
  pattern: /^[a-zA-Z0-9:_-]{1,128}$/,
  what: `${what}: 1-128 of a-z A-Z 0-9 : _ -`,
});

/** AWS IoT's API limits for what the templates create. */
const RULES = {
  thingName: registryName('a thing name'),
  thingTypeName: registryName('a thing type name'),
  thingGroupName: registryName('a thing group name'),
  billingGroupName: registryName('a billing group name'),
  attributeName: {
    pattern: /^[a-zA-Z0-9_.,@/:#-]{1,128}$/,
    what: 'an attribute name: 1-128 of a-z A-Z 0-9 _ . , @ / : # -',
  },
  attributeValue: {
    pattern: /^[a-zA-Z0-9_.,@/:#=[\]-]{0,800}$/,
    what: 'an attribute value: up to 800 of a-z A-Z 0-9 _ . , @ / : # = [ ] -',
  },
  certificateId: {
    pattern: /^(?:0x[a-fA-F0-9]{62}|[a-fA-F0-9]{64})$/,
    what: 'a certificate id: 64 hexadecimal characters',
  },
  csr: { pattern: /^[\s\S]{1,4096}$/, what: 'a certificate signing request: 1-4096 characters of PEM' },
  pem: { pattern: /^[\s\S]{1,65536}$/, what: 'a certificate: 1-65536 characters of PEM' },
  status: { pattern: /^(?:ACTIVE|INACTIVE)$/i, what: 'a certificate status: ACTIVE or INACTIVE' },
  policyName: {
    pattern: /^[\w+=,.@-]{1,128}$/,
    what: 'a policy name: 1-128 of letters, digits and _ + = , . @ -',
  },
} satisfies Record<string, Rule>;

/** Reads expanded property values, refusing any that AWS IoT would refuse. */
function reader(values: JsonObject, path: string) {
  const invalid = (where: string, problem: string): never =>
    fail('TEMPLATE_PROPERTY_INVALID', where, problem);
  const text = (value: Json, where: string, rule: Rule): string => {
    if (typeof value === 'string' && rule.pattern.test(value)) return value;
    return invalid(where, `${describe(value)} is not ${rule.what}`);
  };
  const read = <T>(key: string, convert: (value: Json, where: string) => T): T | undefined => {
    const value = values[key];
    return value === undefined ? undefined : convert(value, at(path, key));
  };
  const string = (key: string, rule: Rule) => read(key, (value, where) => text(value, where, rule));
  return {
    string,
    /** A PEM read by the certificate layer's strict reader; its errors keep their code and gain the path. */
    pem: (key: string, rule: Rule, check: (pem: string) => unknown) =>
      read(key, (value, where) => {
        const pem = text(value, where, rule);
        try {
          check(pem);
        } catch (e: unknown) {
          if (!(e instanceof CertificateError)) throw e;
          throw new CertificateError(e.code, `${where}: ${e.message}`, { cause: e });
        }
        return pem;
      }),
    required: (key: string, rule: Rule) => string(key, rule) ?? invalid(at(path, key), 'is required'),
    strings: (key: string, rule: Rule) =>
      read(key, (value, where) =>
        Array.isArray(value)
          ? value.map((item, i) => text(item, at(where, i), rule))
          : invalid(where, `must be a list of names, not ${describe(value)}`),
      ),
    attributes: (key: string) =>
      read(key, (value, where) =>
        isObject(value)
          ? Object.fromEntries(
              Object.entries(value).map(([name, item]) => [
                text(name, where, RULES.attributeName),
                text(item, at(where, name), RULES.attributeValue),
              ]),
            )
          : invalid(where, `must be an object of attribute names to string values, not ${describe(value)}`),
      ),
    /** A policy document as AWS wants it: a JSON string (an object is serialised). */
    document: (key: string) =>
      read(key, (value, where) => {
        if (isObject(value)) return JSON.stringify(value);
        if (typeof value === 'string' && isObject(parsedOrUndefined(value))) return value;
        return invalid(
          where,
          `must be a JSON policy document (an object, or a string holding one), not ${describe(value)}`,
        );
      }),
  };
}

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type Overrides = Readonly<Record<string, OverrideAction>>;

/** Builders from a resource's expanded properties, once `checkPresence` has passed. */
export function expandThing(
  logicalId: string,
  properties: JsonObject,
  path: string,
  override: Overrides = {},
): ExpandedThing {
  const read = reader(properties, path);
  return defined({
    logicalId,
    thingName: read.required('ThingName', RULES.thingName),
    thingTypeName: read.string('ThingTypeName', RULES.thingTypeName),
    attributes: read.attributes('AttributePayload'),
    thingGroups: read.strings('ThingGroups', RULES.thingGroupName),
    billingGroup: read.string('BillingGroup', RULES.billingGroupName),
    overrideSettings: defined({
      attributePayload: override.AttributePayload,
      thingTypeName: override.ThingTypeName,
      thingGroups: override.ThingGroups,
    }),
  });
}

export function expandCertificate(
  logicalId: string,
  properties: JsonObject,
  path: string,
  override: Overrides = {},
): ExpandedCertificate {
  const read = reader(properties, path);
  return defined({
    logicalId,
    certificateId: read.string('CertificateId', RULES.certificateId),
    // The same checks as the CDF modes' own certificates and CSRs: one PEM, nothing around it.
    certificateSigningRequest: read.pem('CertificateSigningRequest', RULES.csr, parseCsr),
    certificatePem: read.pem('CertificatePem', RULES.pem, (pem) => checkCertificatePem(pem)),
    caCertificatePem: read.pem('CACertificatePem', RULES.pem, (pem) =>
      readCertificate(pem, 'The CA certificate'),
    ),
    // AWS's own fleet provisioning example writes "Active".
    status: read.string('Status', RULES.status)?.toUpperCase() as TemplateCertificateStatus | undefined,
    overrideSettings: defined({ status: override.Status }),
  });
}

export function expandPolicy(logicalId: string, properties: JsonObject, path: string): ExpandedPolicy {
  const read = reader(properties, path);
  return defined({
    logicalId,
    policyName: read.string('PolicyName', RULES.policyName),
    policyDocument: read.document('PolicyDocument'),
  });
}
