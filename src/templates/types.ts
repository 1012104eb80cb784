import type { Json, JsonObject } from './json.js';

export type { Json, JsonObject } from './json.js';

export type ResourceType = 'AWS::IoT::Thing' | 'AWS::IoT::Certificate' | 'AWS::IoT::Policy';

/** What to do when a resource the template names already exists (AWS's `OverrideSettings`). */
export type OverrideAction = 'DO_NOTHING' | 'REPLACE' | 'FAIL' | 'MERGE';

export type ParameterType = 'String' | 'Number';

/** A `Parameters` entry: AWS IoT documents `Type` and `Default`; the rest are CloudFormation's. */
export interface ParameterDefinition {
  Type: ParameterType;
  Default?: string;
  Description?: string;
  AllowedValues?: string[];
  AllowedPattern?: string;
  MinLength?: number;
  MaxLength?: number;
  MinValue?: number;
  MaxValue?: number;
  ConstraintDescription?: string;
}

export interface ResourceDefinition {
  Type: ResourceType;
  /** Property values, still holding their intrinsic functions. */
  Properties: JsonObject;
  /** Name of a condition: when it is false the resource is left out. */
  Condition?: string;
  OverrideSettings?: Record<string, OverrideAction>;
}

export type MappingValue = string | string[];

/** The AWS part of a template, checked: every name it refers to exists, every function is well formed. */
export interface AwsTemplate {
  Parameters?: Record<string, ParameterDefinition>;
  Mappings?: Record<string, Record<string, Record<string, MappingValue>>>;
  Conditions?: Record<string, Json>;
  Resources: Record<string, ResourceDefinition>;
  /** Fleet provisioning's data for the device; values may use intrinsic functions. */
  DeviceConfiguration?: JsonObject;
}

export interface ParsedTemplate {
  aws: AwsTemplate;
  /** CDF's extensions (certificate modes, additional policies), only checked to be an object. */
  cdf?: Record<string, unknown>;
  /** Every declared parameter, in template order. */
  parameterNames: string[];
}

/** Fields of the device certificate's subject that AWS IoT offers as `AWS::IoT::Certificate::<Field>`. */
export type CertificateSubjectField =
  | 'Country'
  | 'Organization'
  | 'OrganizationalUnit'
  | 'DistinguishedNameQualifier'
  | 'StateName'
  | 'CommonName'
  | 'SerialNumber';

/** Values that do not come from the request's parameters. */
export interface ExpansionContext {
  region: string;
  accountId: string;
  /**
   * What a CDF certificate mode hands the template (CERTIFICATE_MODE_INJECTS): these win over sent
   * values of the same name, and are the service's own, so the limits on sent values skip them.
   */
  injected?: Readonly<Record<string, string>>;
  /** `AWS::IoT::Certificate::Id`: the certificate being provisioned, when one is already known. */
  certificateId?: string;
  /** `AWS::IoT::Certificate::<Field>`, as just-in-time provisioning reads them from the certificate. */
  certificateSubject?: Partial<Record<CertificateSubjectField, string>>;
}

export interface ExpandedThing {
  logicalId: string;
  thingName: string;
  thingTypeName?: string;
  attributes?: Record<string, string>;
  thingGroups?: string[];
  billingGroup?: string;
  overrideSettings: {
    attributePayload?: OverrideAction;
    thingTypeName?: OverrideAction;
    thingGroups?: OverrideAction;
  };
}

/** AWS IoT documents ACTIVE and INACTIVE for templates (ACTIVE when absent). */
export type TemplateCertificateStatus = 'ACTIVE' | 'INACTIVE';

/** Exactly one of `certificateId`, `certificateSigningRequest`, `certificatePem` is set. */
export interface ExpandedCertificate {
  logicalId: string;
  certificateId?: string;
  certificateSigningRequest?: string;
  certificatePem?: string;
  /** Only with `certificatePem`: the CA that signed it, when several share its subject. */
  caCertificatePem?: string;
  /** Absent when the template does not say; AWS's default is ACTIVE. */
  status?: TemplateCertificateStatus;
  overrideSettings: { status?: OverrideAction };
}

/** Exactly one of the two is set: a name means an existing policy, a document a new one. */
export interface ExpandedPolicy {
  logicalId: string;
  policyName?: string;
  /** Always a JSON string, even when the template wrote the document as an object. */
  policyDocument?: string;
}

export interface ExpandedTemplate {
  thing?: ExpandedThing;
  certificate?: ExpandedCertificate;
  /** In template order. */
  policies: ExpandedPolicy[];
  deviceConfiguration?: Record<string, string>;
}
