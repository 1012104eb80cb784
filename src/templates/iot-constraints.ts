/**
 * AWS IoT's documented limits on what a provisioning template makes, in one place. Template
 * expansion applies them, so `PUT /templates` (to the values a template writes out), admission (to
 * the device a request describes) and the worker (to what it is about to make) refuse the same
 * values with the same words. The thing calls and the schemas reuse the patterns.
 *
 * Sources: the AWS IoT API Reference (CreateThing, CreateThingType, CreateThingGroup,
 * CreateBillingGroup, CreatePolicy, CreateCertificateFromCsr, RegisterCertificate, RegisterThing)
 * and the developer guide (thing types: 50 attributes; static thing groups: 10 groups a thing).
 */
export interface Constraint {
  pattern: RegExp;
  /** What is wanted, as a message ends: "a thing name: 1-128 of ...". */
  what: string;
}

/** Things, thing types, thing groups and billing groups share AWS IoT's naming rule. */
const registryName = (what: string): Constraint => ({
  pattern: /^[a-zA-Z0-9:_-]{1,128}$/,
  what: `${what}: 1-128 of a-z A-Z 0-9 : _ -`,
});

export const IOT = {
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
  certificatePem: { pattern: /^[\s\S]{1,65536}$/, what: 'a certificate: 1-65536 characters of PEM' },
  certificateStatus: { pattern: /^(?:ACTIVE|INACTIVE)$/i, what: 'a certificate status: ACTIVE or INACTIVE' },
  policyName: {
    pattern: /^[\w+=,.@-]{1,128}$/,
    what: 'a policy name: 1-128 of letters, digits and _ + = , . @ -',
  },
} satisfies Record<string, Constraint>;

export const IOT_LIMITS = {
  /** RegisterThing: the most characters a template parameter's value may have. */
  parameterValue: 4096,
  /** A thing with a thing type has at most 50 attributes (one without a type, 3). */
  attributesPerThing: 50,
  /** A thing belongs to at most 10 thing groups. */
  groupsPerThing: 10,
  /** CreatePolicy: 1-2048 characters, white space not counted. */
  policyDocument: 2048,
} as const;

/** What is wrong with a policy document for CreatePolicy, or undefined. */
export function policyDocumentProblem(document: string): string | undefined {
  const counted = document.replace(/\s/g, '').length;
  if (counted === 0) return 'is empty';
  if (counted > IOT_LIMITS.policyDocument) {
    return `has ${counted} characters (white space not counted); AWS IoT takes at most ${IOT_LIMITS.policyDocument}`;
  }
  return undefined;
}
