import { CertificateError, checkCertificatePem, parseCsr, readCertificate } from '../certificates/index.js';
import { IOT, IOT_LIMITS, policyDocumentProblem, type Constraint } from './iot-constraints.js';
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
 * Checks which of the mutually exclusive properties are set. After expansion (`strict`) that is
 * known. Before, a property may still turn out to be AWS::NoValue: at least one must be written,
 * and no two of those that are `certain` (can never be AWS::NoValue) may be, since AWS IoT takes a
 * certificate one way only and a policy by name or by document, not both. An Fn::If that gives
 * AWS::NoValue on one side may choose between them.
 */
export function checkPresence(
  spec: ResourceSpec,
  present: readonly string[],
  path: string,
  strict: boolean,
  certain: readonly string[] = strict ? present : [],
): void {
  const code: TemplateErrorCode = strict ? 'TEMPLATE_PROPERTY_INVALID' : 'TEMPLATE_INVALID';
  const { exactlyOne } = spec;
  const set = exactlyOne.filter((name) => present.includes(name));
  const sure = exactlyOne.filter((name) => certain.includes(name));
  const wanted =
    exactlyOne.length === 1
      ? `${exactlyOne.join()} is required`
      : `set exactly one of ${exactlyOne.join(', ')}`;
  if (set.length === 0) fail(code, path, wanted);
  if (sure.length > 1) {
    const choose = strict
      ? ''
      : '; AWS IoT takes only one (to let a condition choose, give the others {"Fn::If": [condition, ..., {"Ref": "AWS::NoValue"}]})';
    fail(code, path, `${wanted}, not both ${sure.join(' and ')}${choose}`);
  }
  for (const [name, needed] of Object.entries(spec.requires)) {
    if (present.includes(name) && !present.includes(needed)) {
      fail(code, at(path, name), `is only allowed together with ${needed}`);
    }
  }
}

/**
 * The parameters whose values went into the value at `where`, inside the property at `property`:
 * so a refusal can name what the caller sent rather than only where in the template it went.
 */
export type Origin = (where: string, property: string) => readonly string[];

const NO_ORIGIN: Origin = () => [];

function givenBy(parameters: readonly string[]): string {
  const names = parameters.map((name) => `'${name}'`).join(', ');
  return parameters.length === 1 ? `parameter ${names} gives` : `parameters ${names} give`;
}

/** Reads expanded property values, refusing any that AWS IoT would refuse. */
function reader(values: JsonObject, path: string, origin: Origin) {
  const invalid = (where: string, problem: string): never =>
    fail('TEMPLATE_PROPERTY_INVALID', where, problem);
  /** `problem` follows the value: "is not a thing name: ...". */
  const refuse = (value: Json, where: string, property: string, problem: string): never => {
    const from = origin(where, property);
    return invalid(
      where,
      from.length === 0
        ? `${describe(value)} ${problem}`
        : `${givenBy(from)} ${describe(value)}, which ${problem}; send a value AWS IoT accepts`,
    );
  };
  const text = (value: Json, where: string, property: string, rule: Constraint): string => {
    if (typeof value === 'string' && rule.pattern.test(value)) return value;
    return refuse(value, where, property, `is not ${rule.what}`);
  };
  const read = <T>(key: string, convert: (value: Json, where: string) => T): T | undefined => {
    const value = values[key];
    return value === undefined ? undefined : convert(value, at(path, key));
  };
  const string = (key: string, rule: Constraint) =>
    read(key, (value, where) => text(value, where, where, rule));
  return {
    string,
    /** A PEM read by the certificate layer's strict reader; its errors keep their code and gain the path. */
    pem: (key: string, rule: Constraint, check: (pem: string) => unknown) =>
      read(key, (value, where) => {
        const pem = text(value, where, where, rule);
        try {
          check(pem);
        } catch (e: unknown) {
          if (!(e instanceof CertificateError)) throw e;
          const from = origin(where, where);
          const source = from.length === 0 ? '' : ` (${givenBy(from)} it)`;
          throw new CertificateError(e.code, `${where}${source}: ${e.message}`, { cause: e });
        }
        return pem;
      }),
    required: (key: string, rule: Constraint) => string(key, rule) ?? invalid(at(path, key), 'is required'),
    strings: (key: string, rule: Constraint, most: number) =>
      read(key, (value, where) => {
        if (!Array.isArray(value)) return invalid(where, `must be a list of names, not ${describe(value)}`);
        if (value.length > most) {
          return refuse(value, where, where, `holds ${value.length} names; AWS IoT takes at most ${most}`);
        }
        return value.map((item, i) => text(item, at(where, i), where, rule));
      }),
    attributes: (key: string) =>
      read(key, (value, where) => {
        if (!isObject(value)) {
          return invalid(
            where,
            `must be an object of attribute names to string values, not ${describe(value)}`,
          );
        }
        const entries = Object.entries(value);
        if (entries.length > IOT_LIMITS.attributesPerThing) {
          return invalid(
            where,
            `has ${entries.length} attributes; AWS IoT gives a thing at most ${IOT_LIMITS.attributesPerThing}`,
          );
        }
        return Object.fromEntries(
          entries.map(([name, item]) => [
            text(name, where, where, IOT.attributeName),
            text(item, at(where, name), where, IOT.attributeValue),
          ]),
        );
      }),
    /** A policy document as AWS wants it: a JSON string (an object is serialised). */
    document: (key: string) =>
      read(key, (value, where) => {
        const document = isObject(value)
          ? JSON.stringify(value)
          : typeof value === 'string' && isObject(parsedOrUndefined(value))
            ? value
            : invalid(
                where,
                `must be a JSON policy document (an object, or a string holding one), not ${describe(value)}`,
              );
        const problem = policyDocumentProblem(document);
        return problem === undefined ? document : refuse(value, where, where, problem);
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

export interface BuildOptions {
  /** The resource's OverrideSettings. */
  override?: Overrides;
  /** Where its values came from, so refusals name the parameters; none when unknown. */
  origin?: Origin;
}

/** Builders from a resource's expanded properties, once `checkPresence` has passed. */
export function expandThing(
  logicalId: string,
  properties: JsonObject,
  path: string,
  { override = {}, origin = NO_ORIGIN }: BuildOptions = {},
): ExpandedThing {
  const read = reader(properties, path, origin);
  return defined({
    logicalId,
    thingName: read.required('ThingName', IOT.thingName),
    thingTypeName: read.string('ThingTypeName', IOT.thingTypeName),
    attributes: read.attributes('AttributePayload'),
    thingGroups: read.strings('ThingGroups', IOT.thingGroupName, IOT_LIMITS.groupsPerThing),
    billingGroup: read.string('BillingGroup', IOT.billingGroupName),
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
  { override = {}, origin = NO_ORIGIN }: BuildOptions = {},
): ExpandedCertificate {
  const read = reader(properties, path, origin);
  return defined({
    logicalId,
    certificateId: read.string('CertificateId', IOT.certificateId),
    // The same checks as the CDF modes' own certificates and CSRs: one PEM, nothing around it.
    certificateSigningRequest: read.pem('CertificateSigningRequest', IOT.csr, parseCsr),
    certificatePem: read.pem('CertificatePem', IOT.certificatePem, (pem) => checkCertificatePem(pem)),
    caCertificatePem: read.pem('CACertificatePem', IOT.certificatePem, (pem) =>
      readCertificate(pem, 'The CA certificate'),
    ),
    // AWS's own fleet provisioning example writes "Active".
    status: read.string('Status', IOT.certificateStatus)?.toUpperCase() as
      TemplateCertificateStatus | undefined,
    overrideSettings: defined({ status: override.Status }),
  });
}

export function expandPolicy(
  logicalId: string,
  properties: JsonObject,
  path: string,
  { origin = NO_ORIGIN }: BuildOptions = {},
): ExpandedPolicy {
  const read = reader(properties, path, origin);
  return defined({
    logicalId,
    policyName: read.string('PolicyName', IOT.policyName),
    policyDocument: read.document('PolicyDocument'),
  });
}
