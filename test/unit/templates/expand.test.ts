import { describe, expect, it } from '@jest/globals';
import {
  expandTemplate,
  parseTemplate,
  requiredParameters,
  type JsonObject,
} from '../../../src/templates/index.js';
import { CERTIFICATES, CONTEXT, expand, expectTemplateError } from './helpers.js';

const CERTIFICATE_ID = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const POLICY_DOCUMENT =
  '{ "Version": "2012-10-17", "Statement": [{ "Effect": "Allow", "Action":["iot:Publish"], "Resource": ["arn:aws:iot:us-east-1:123456789012:topic/foo/bar"] }] }';

/** The shape of CDF's sample templates. */
const CDF_SAMPLE = JSON.stringify({
  Parameters: { ThingName: { Type: 'String' }, CertificateId: { Type: 'String' } },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: {
        ThingName: { Ref: 'ThingName' },
        AttributePayload: { version: 'v1' },
        ThingGroups: ['g1'],
      },
      OverrideSettings: { AttributePayload: 'MERGE', ThingTypeName: 'REPLACE', ThingGroups: 'DO_NOTHING' },
    },
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: 'CertificateId' }, Status: 'ACTIVE' },
    },
    policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: POLICY_DOCUMENT } },
  },
  CDF: { createDeviceAWSCertificate: true },
});

describe('the CDF sample template', () => {
  const parsed = parseTemplate(CDF_SAMPLE);

  it('parses, with its CDF block split off', () => {
    expect(parsed.cdf).toEqual({ createDeviceAWSCertificate: true });
    expect(parsed.parameterNames).toEqual(['ThingName', 'CertificateId']);
    expect(requiredParameters(parsed)).toEqual(['ThingName', 'CertificateId']);
  });

  it('expands to the thing, certificate and policy, with OverrideSettings carried through', () => {
    expect(
      expandTemplate(parsed, { ThingName: 'truck-42', CertificateId: CERTIFICATE_ID }, CONTEXT),
    ).toStrictEqual({
      thing: {
        logicalId: 'thing',
        thingName: 'truck-42',
        attributes: { version: 'v1' },
        thingGroups: ['g1'],
        overrideSettings: { attributePayload: 'MERGE', thingTypeName: 'REPLACE', thingGroups: 'DO_NOTHING' },
      },
      certificate: {
        logicalId: 'certificate',
        certificateId: CERTIFICATE_ID,
        status: 'ACTIVE',
        overrideSettings: {},
      },
      policies: [{ logicalId: 'policy', policyDocument: POLICY_DOCUMENT }],
    });
  });

  it('refuses to expand without its required parameters, naming all of them', () => {
    expectTemplateError(
      () => expandTemplate(parsed, {}, CONTEXT),
      'TEMPLATE_PARAMETER_MISSING',
      'Parameters.ThingName, Parameters.CertificateId',
      /send ThingName, CertificateId in the parameters/,
    );
  });

  it('refuses a thing name AWS IoT would refuse, naming the parameter that gave it', () => {
    expectTemplateError(
      () => expandTemplate(parsed, { ThingName: 'truck 42', CertificateId: CERTIFICATE_ID }, CONTEXT),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.thing.Properties.ThingName',
      /parameter 'ThingName' gives "truck 42", which is not a thing name: 1-128 of a-z A-Z 0-9 : _ -/,
    );
    expectTemplateError(
      () => expandTemplate(parsed, { ThingName: 'x'.repeat(129), CertificateId: CERTIFICATE_ID }, CONTEXT),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.thing.Properties.ThingName',
    );
  });

  it('does not share state between expansions or with the parsed template', () => {
    const first = expandTemplate(parsed, { ThingName: 'a', CertificateId: CERTIFICATE_ID }, CONTEXT);
    first.thing?.thingGroups?.push('mutated');
    const second = expandTemplate(parsed, { ThingName: 'b', CertificateId: CERTIFICATE_ID }, CONTEXT);
    expect(second.thing).toMatchObject({ thingName: 'b', thingGroups: ['g1'] });
  });
});

describe('parameter values', () => {
  const template = (parameters: JsonObject) => ({
    Parameters: parameters,
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: {
          ThingName: 'device-1',
          AttributePayload: Object.fromEntries(Object.keys(parameters).map((p) => [p, { Ref: p }])),
        },
      },
    },
  });
  const attributes = (parameters: JsonObject, sent: Record<string, string> = {}) =>
    expand(template(parameters), sent).thing?.attributes;

  it('fall back to the Default; values sent win; undeclared ones are ignored', () => {
    const parameters = { Location: { Type: 'String', Default: 'WA' }, Serial: { Type: 'String' } };
    expect(attributes(parameters, { Serial: 's1' })).toEqual({ Location: 'WA', Serial: 's1' });
    expect(attributes(parameters, { Serial: 's1', Location: 'OR', Extra: 'x' })).toEqual({
      Location: 'OR',
      Serial: 's1',
    });
    expect(attributes({ Empty: { Type: 'String', Default: 'd' } }, { Empty: '' })).toEqual({ Empty: '' });
  });

  it('come from the certificate for declared AWS::IoT::Certificate parameters (JITP)', () => {
    const parsed = parseTemplate(template({ 'AWS::IoT::Certificate::Country': { Type: 'String' } }));
    expect(requiredParameters(parsed)).toEqual([]);
    const expanded = expandTemplate(parsed, {}, { ...CONTEXT, certificateSubject: { Country: 'DE' } });
    expect(expanded.thing?.attributes).toEqual({ 'AWS::IoT::Certificate::Country': 'DE' });
    expectTemplateError(
      () => expandTemplate(parsed, {}, CONTEXT),
      'TEMPLATE_PARAMETER_MISSING',
      'Parameters.AWS::IoT::Certificate::Country',
    );
  });

  it('must be among AllowedValues', () => {
    const parameters = {
      Tier: { Type: 'String', AllowedValues: ['gold', 'silver'], ConstraintDescription: 'gold or silver' },
    };
    expect(attributes(parameters, { Tier: 'gold' })).toEqual({ Tier: 'gold' });
    expectTemplateError(
      () => attributes(parameters, { Tier: 'bronze' }),
      'TEMPLATE_PARAMETER_INVALID',
      'Parameters.Tier',
      /"bronze" is not one of the AllowedValues "gold", "silver" \(gold or silver\); send a valid value/,
    );
  });

  it('must match AllowedPattern as a whole and respect MinLength / MaxLength', () => {
    const parameters = {
      Serial: { Type: 'String', AllowedPattern: '[A-Z]{2}[0-9]+', MinLength: 3, MaxLength: 5 },
    };
    expect(attributes(parameters, { Serial: 'AB12' })).toEqual({ Serial: 'AB12' });
    expectTemplateError(
      () => attributes(parameters, { Serial: 'xAB12' }),
      'TEMPLATE_PARAMETER_INVALID',
      'Parameters.Serial',
      /does not match AllowedPattern/,
    );
    expectTemplateError(
      () => attributes(parameters, { Serial: 'AB' }),
      'TEMPLATE_PARAMETER_INVALID',
      'Parameters.Serial',
      /shorter than 3/,
    );
    expectTemplateError(
      () => attributes(parameters, { Serial: 'AB1234' }),
      'TEMPLATE_PARAMETER_INVALID',
      'Parameters.Serial',
      /longer than 5/,
    );
  });

  it('of Type Number must be numbers within MinValue / MaxValue', () => {
    const parameters = { Port: { Type: 'Number', MinValue: 1, MaxValue: 65535 } };
    expect(attributes(parameters, { Port: '8883' })).toEqual({ Port: '8883' });
    expect(attributes(parameters, { Port: '1.5e2' })).toEqual({ Port: '1.5e2' });
    expectTemplateError(
      () => attributes(parameters, { Port: 'eight' }),
      'TEMPLATE_PARAMETER_INVALID',
      'Parameters.Port',
      /not a number/,
    );
    expectTemplateError(
      () => attributes(parameters, { Port: ' ' }),
      'TEMPLATE_PARAMETER_INVALID',
      'Parameters.Port',
    );
    expectTemplateError(
      () => attributes(parameters, { Port: '0' }),
      'TEMPLATE_PARAMETER_INVALID',
      'Parameters.Port',
      /less than MinValue 1/,
    );
    expectTemplateError(
      () => attributes(parameters, { Port: '70000' }),
      'TEMPLATE_PARAMETER_INVALID',
      'Parameters.Port',
      /more than MaxValue/,
    );
  });
});

describe('things', () => {
  const thing = (properties: JsonObject) => ({
    Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: 'device-1', ...properties } } },
  });
  const refused = (properties: JsonObject, path: string, says?: RegExp) =>
    expectTemplateError(
      () => expand(thing(properties)),
      'TEMPLATE_PROPERTY_INVALID',
      `Resources.thing.Properties.${path}`,
      says,
    );

  it('carry type, groups, billing group and attributes', () => {
    expect(
      expand(
        thing({
          ThingTypeName: 'sensor',
          ThingGroups: ['a', 'b:c'],
          BillingGroup: 'bill_1',
          AttributePayload: { 'serial/no': 'A=1', empty: '' },
        }),
      ).thing,
    ).toEqual({
      logicalId: 'thing',
      thingName: 'device-1',
      thingTypeName: 'sensor',
      thingGroups: ['a', 'b:c'],
      billingGroup: 'bill_1',
      attributes: { 'serial/no': 'A=1', empty: '' },
      overrideSettings: {},
    });
  });

  it('refuse values AWS IoT refuses', () => {
    refused({ ThingTypeName: 'a type' }, 'ThingTypeName', /not a thing type name/);
    refused({ ThingGroups: 'g1' }, 'ThingGroups', /must be a list of names/);
    refused({ ThingGroups: ['ok', 'not ok'] }, 'ThingGroups[1]', /not a thing group name/);
    refused({ BillingGroup: '' }, 'BillingGroup', /not a billing group name/);
    refused({ AttributePayload: ['a'] }, 'AttributePayload', /must be an object of attribute names/);
    refused(
      { AttributePayload: { 'bad name': 'v' } },
      'AttributePayload',
      /"bad name" is not an attribute name/,
    );
    refused({ AttributePayload: { n: 'bad value' } }, 'AttributePayload.n', /not an attribute value/);
    refused({ AttributePayload: { n: 1 } }, 'AttributePayload.n');
    refused({ AttributePayload: { n: 'x'.repeat(801) } }, 'AttributePayload.n');
    refused({ ThingName: ['a'] }, 'ThingName');
  });
});

describe('certificates', () => {
  const certificate = (properties: JsonObject, parameters: JsonObject = {}) => ({
    Parameters: parameters,
    Resources: {
      certificate: {
        Type: 'AWS::IoT::Certificate',
        Properties: properties,
        OverrideSettings: { Status: 'REPLACE' },
      },
    },
  });

  it('come from a CSR, an id or a PEM with its CA', () => {
    const { csr, pem, caPem } = CERTIFICATES;
    expect(expand(certificate({ CertificateSigningRequest: csr, Status: 'Inactive' })).certificate).toEqual({
      logicalId: 'certificate',
      certificateSigningRequest: csr,
      status: 'INACTIVE',
      overrideSettings: { status: 'REPLACE' },
    });
    expect(expand(certificate({ CertificatePem: pem, CACertificatePem: caPem })).certificate).toMatchObject({
      certificatePem: pem,
      caCertificatePem: caPem,
    });
    expect(
      expand(certificate({ CertificateId: `0x${CERTIFICATE_ID.slice(2)}` })).certificate?.certificateId,
    ).toBe(`0x${CERTIFICATE_ID.slice(2)}`);
  });

  it('take the fleet provisioning certificate id from the context', () => {
    const template = certificate({ CertificateId: { Ref: 'AWS::IoT::Certificate::Id' } });
    expect(
      expand(template, {}, { ...CONTEXT, certificateId: CERTIFICATE_ID }).certificate?.certificateId,
    ).toBe(CERTIFICATE_ID);
  });

  it('need exactly one source: two that are always set are refused when the template is read', () => {
    const both = certificate(
      { CertificateId: { Ref: 'Id' }, CertificateSigningRequest: { Ref: 'Csr' } },
      { Id: { Type: 'String', Default: CERTIFICATE_ID }, Csr: { Type: 'String', Default: 'csr' } },
    );
    expectTemplateError(
      () => parseTemplate(both),
      'TEMPLATE_INVALID',
      'Resources.certificate.Properties',
      /set exactly one of .*, not both CertificateSigningRequest and CertificateId; AWS IoT takes only one/,
    );
  });

  it('need exactly one source once expanded, when conditions choose', () => {
    const chosen = {
      ...certificate(
        {
          CertificateId: { 'Fn::If': ['UseId', { Ref: 'Id' }, { Ref: 'AWS::NoValue' }] },
          CertificateSigningRequest: { 'Fn::If': ['UseCsr', CERTIFICATES.csr, { Ref: 'AWS::NoValue' }] },
        },
        { Id: { Type: 'String', Default: CERTIFICATE_ID }, UseId: { Type: 'String' } },
      ),
      Conditions: {
        UseId: { 'Fn::Equals': [{ Ref: 'UseId' }, 'yes'] },
        // A careless second condition: true whatever UseId says.
        UseCsr: { 'Fn::Equals': ['a', 'a'] },
      },
    };
    expectTemplateError(
      () => expand(chosen, { UseId: 'yes' }),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.certificate.Properties',
      /set exactly one of .*, not both CertificateSigningRequest and CertificateId/,
    );
    expect(expand(chosen, { UseId: 'no' }).certificate?.certificateSigningRequest).toBe(CERTIFICATES.csr);
  });

  it('refuse ids, PEMs and statuses AWS IoT refuses', () => {
    const refused = (properties: JsonObject, path: string, says?: RegExp) =>
      expectTemplateError(
        () => expand(certificate(properties)),
        'TEMPLATE_PROPERTY_INVALID',
        `Resources.certificate.Properties.${path}`,
        says,
      );
    refused({ CertificateId: 'abc' }, 'CertificateId', /64 hexadecimal characters/);
    refused({ CertificateId: CERTIFICATE_ID, Status: 'REVOKED' }, 'Status', /ACTIVE or INACTIVE/);
    refused({ CertificatePem: '' }, 'CertificatePem');
    refused(
      { CertificateSigningRequest: 'x'.repeat(4097) },
      'CertificateSigningRequest',
      /"x{10,}\.\.\. is not a certificate signing request/,
    );
  });
});

describe('policies', () => {
  const policies = (resources: JsonObject, parameters: JsonObject = {}) => ({
    Parameters: parameters,
    Resources: resources,
  });

  it('keep template order, name existing policies and serialise object documents', () => {
    const document = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'iot:Connect',
          Resource: { 'Fn::Sub': 'arn:aws:iot:${AWS::Region}:${AWS::AccountId}:client/${Name}' },
        },
      ],
    };
    const expanded = expand(
      policies(
        {
          existing: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: { Ref: 'Name' } } },
          inline: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: document } },
          text: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: POLICY_DOCUMENT } },
        },
        { Name: { Type: 'String' } },
      ),
      { Name: 'fleet+policy@v1' },
    );
    expect(expanded.thing).toBeUndefined();
    expect(expanded.policies.map((p) => p.logicalId)).toEqual(['existing', 'inline', 'text']);
    expect(expanded.policies[0]).toEqual({ logicalId: 'existing', policyName: 'fleet+policy@v1' });
    expect(JSON.parse(expanded.policies[1]?.policyDocument ?? '')).toEqual({
      ...document,
      Statement: [
        {
          Effect: 'Allow',
          Action: 'iot:Connect',
          Resource: 'arn:aws:iot:eu-west-1:123456789012:client/fleet+policy@v1',
        },
      ],
    });
    expect(expanded.policies[2]?.policyDocument).toBe(POLICY_DOCUMENT);
  });

  it('refuse bad names and documents that are not JSON objects', () => {
    const refused = (properties: JsonObject, path: string) =>
      expectTemplateError(
        () => expand(policies({ p: { Type: 'AWS::IoT::Policy', Properties: properties } })),
        'TEMPLATE_PROPERTY_INVALID',
        `Resources.p.Properties.${path}`,
      );
    refused({ PolicyName: 'no spaces' }, 'PolicyName');
    refused({ PolicyDocument: '{"Version": ' }, 'PolicyDocument');
    refused({ PolicyDocument: '["a"]' }, 'PolicyDocument');
    refused({ PolicyDocument: ['a'] }, 'PolicyDocument');
  });

  it('need a name or a document, not both (AWS IoT: "PolicyName or PolicyDocument, but not both")', () => {
    expectTemplateError(
      () =>
        expand(
          policies({
            p: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'p', PolicyDocument: POLICY_DOCUMENT } },
          }),
        ),
      'TEMPLATE_INVALID',
      'Resources.p.Properties',
      /not both PolicyName and PolicyDocument/,
    );
  });

  it('refuse a document longer than CreatePolicy takes, white space not counted', () => {
    const statement = { Effect: 'Allow', Action: 'iot:Publish', Resource: 'arn:aws:iot:*:*:topic/t' };
    const document = (count: number) =>
      JSON.stringify({ Version: '2012-10-17', Statement: Array.from({ length: count }, () => statement) });
    const policy = (text: string) =>
      policies({ p: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: text } } });
    const long = document(30);
    expect(long.length).toBeGreaterThan(2048);
    expectTemplateError(
      () => expand(policy(long)),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.p.Properties.PolicyDocument',
      /has \d+ characters \(white space not counted\); AWS IoT takes at most 2048/,
    );
    const spaced = JSON.stringify(JSON.parse(document(15)), null, 8);
    expect(spaced.length).toBeGreaterThan(2048);
    expect(expand(policy(spaced)).policies[0]?.policyDocument).toBe(spaced);
  });
});

describe('DeviceConfiguration', () => {
  it('is evaluated (fleet provisioning) and must hold strings', () => {
    const template = {
      Parameters: { DeviceLocation: { Type: 'String' } },
      Mappings: { LocationTable: { Seattle: { LocationUrl: 'https://example.aws' } } },
      Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: 'd' } } },
      DeviceConfiguration: {
        FallbackUrl: 'https://www.example.com/test-site',
        LocationUrl: { 'Fn::FindInMap': ['LocationTable', { Ref: 'DeviceLocation' }, 'LocationUrl'] },
      },
    };
    expect(expand(template, { DeviceLocation: 'Seattle' }).deviceConfiguration).toEqual({
      FallbackUrl: 'https://www.example.com/test-site',
      LocationUrl: 'https://example.aws',
    });
    expectTemplateError(
      () => expand({ ...template, DeviceConfiguration: { Port: 8883 } }, { DeviceLocation: 'Seattle' }),
      'TEMPLATE_PROPERTY_INVALID',
      'DeviceConfiguration.Port',
    );
  });
});
