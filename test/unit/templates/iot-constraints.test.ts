import { describe, expect, it } from '@jest/globals';
import { CertificateError } from '../../../src/certificates/index.js';
import { IOT, IOT_LIMITS, policyDocumentProblem } from '../../../src/templates/iot-constraints.js';
import { parseTemplate, type JsonObject } from '../../../src/templates/index.js';
import { CERTIFICATES, CONTEXT, expand, expectTemplateError } from './helpers.js';

const thing = (properties: JsonObject, parameters: JsonObject = {}, extra: JsonObject = {}) => ({
  Parameters: parameters,
  Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: properties } },
  ...extra,
});
const STRING = { Type: 'String' };

describe('AWS IoT constraints', () => {
  it('are the API reference patterns and lengths', () => {
    expect(IOT.thingName.pattern.test('a'.repeat(128))).toBe(true);
    expect(IOT.thingName.pattern.test('a'.repeat(129))).toBe(false);
    expect(IOT.thingName.pattern.test('bad name/with*chars')).toBe(false);
    expect(IOT.attributeName.pattern.test('serial.no@site/line#3:a,b-c_d')).toBe(true);
    expect(IOT.attributeValue.pattern.test('')).toBe(true);
    expect(IOT.attributeValue.pattern.test('[a=b]')).toBe(true);
    expect(IOT.attributeValue.pattern.test('a b')).toBe(false);
    expect(IOT.policyName.pattern.test('p+=,.@-_1')).toBe(true);
    expect(IOT.policyName.pattern.test('p:1')).toBe(false);
  });

  it('count a policy document without its white space', () => {
    expect(policyDocumentProblem('  ')).toBe('is empty');
    expect(policyDocumentProblem(`{${' '.repeat(5000)}}`)).toBeUndefined();
    expect(policyDocumentProblem(`"${'x'.repeat(2047)}"`)).toMatch(/has 2049 characters/);
  });
});

describe('parameter values', () => {
  const template = thing(
    { ThingName: 'device-1', AttributePayload: { note: { Ref: 'Note' } } },
    {
      Note: { ...STRING, Default: 'n' },
    },
  );

  it('sent are at most 4096 characters, as RegisterThing takes them', () => {
    expectTemplateError(
      () => expand(template, { Note: 'x'.repeat(IOT_LIMITS.parameterValue + 1) }),
      'TEMPLATE_PARAMETER_INVALID',
      'Parameters.Note',
      /the value sent is 4097 characters; AWS IoT takes at most 4096 for a template parameter/,
    );
  });

  it('a certificate mode injects are its own, and are not held to that limit', () => {
    const long = 'x'.repeat(IOT_LIMITS.parameterValue + 1);
    const withPem = thing(
      { ThingName: 'device-1' },
      { CertificatePem: STRING },
      { DeviceConfiguration: { pem: { Ref: 'CertificatePem' } } },
    );
    expect(
      expand(withPem, { CertificatePem: 'sent' }, { ...CONTEXT, injected: { CertificatePem: long } })
        .deviceConfiguration?.pem,
    ).toBe(long);
  });

  it('injected win over sent values of the same name', () => {
    const withId = thing({ ThingName: { Ref: 'CertificateId' } }, { CertificateId: STRING });
    expect(
      expand(withId, { CertificateId: 'sent' }, { ...CONTEXT, injected: { CertificateId: 'injected' } }).thing
        ?.thingName,
    ).toBe('injected');
  });
});

describe('a refused value names the parameters it came from', () => {
  it('every parameter joined into it', () => {
    const template = thing(
      { ThingName: { 'Fn::Join': ['-', [{ Ref: 'Site' }, { Ref: 'Serial' }]] } },
      { Site: STRING, Serial: STRING },
    );
    expectTemplateError(
      () => expand(template, { Site: 'plant 7', Serial: '42' }),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.thing.Properties.ThingName',
      /parameters 'Site', 'Serial' give "plant 7-42", which is not a thing name/,
    );
  });

  it('only the parameter of the attribute or group at fault', () => {
    const template = thing(
      {
        ThingName: { Ref: 'Name' },
        AttributePayload: { site: { Ref: 'Site' }, serial: { 'Fn::Sub': 'sn-${Serial}' } },
        ThingGroups: ['fleet', { Ref: 'Group' }],
      },
      { Name: STRING, Site: STRING, Serial: STRING, Group: STRING },
    );
    const good = { Name: 'd-1', Site: 'berlin', Serial: '42', Group: 'pumps' };
    expectTemplateError(
      () => expand(template, { ...good, Serial: '4 2' }),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.thing.Properties.AttributePayload.serial',
      /^[^']*parameter 'Serial' gives "sn-4 2", which is not an attribute value/,
    );
    expectTemplateError(
      () => expand(template, { ...good, Group: 'no/slash' }),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.thing.Properties.ThingGroups[1]',
      /parameter 'Group' gives "no\/slash", which is not a thing group name/,
    );
  });

  it('the property for values a function cut out of a parameter', () => {
    const template = thing(
      { ThingName: 'd-1', ThingGroups: { 'Fn::Split': [',', { Ref: 'Groups' }] } },
      { Groups: STRING },
    );
    expectTemplateError(
      () => expand(template, { Groups: 'a,b c' }),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.thing.Properties.ThingGroups[1]',
      /parameter 'Groups' gives "b c"/,
    );
  });

  it('not the parameters of the condition that chose the value', () => {
    const template = thing(
      { ThingName: { 'Fn::If': ['Named', { Ref: 'Name' }, 'fallback name'] } },
      { Name: { ...STRING, Default: '' }, Kind: STRING },
      { Conditions: { Named: { 'Fn::Equals': [{ Ref: 'Kind' }, 'named'] } } },
    );
    expectTemplateError(
      () => expand(template, { Kind: 'other' }),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.thing.Properties.ThingName',
      /^Resources\.thing\.Properties\.ThingName: "fallback name" is not a thing name/,
    );
  });

  it('a CSR that is not one keeps its code and names its parameter', () => {
    const template = {
      Parameters: { CSR: STRING },
      Resources: {
        certificate: {
          Type: 'AWS::IoT::Certificate',
          Properties: { CertificateSigningRequest: { Ref: 'CSR' } },
        },
      },
    };
    expect(expand(template, { CSR: CERTIFICATES.csr }).certificate?.certificateSigningRequest).toBe(
      CERTIFICATES.csr,
    );
    let thrown: unknown;
    try {
      expand(template, { CSR: `${CERTIFICATES.csr}trailing` });
    } catch (e: unknown) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CertificateError);
    expect(thrown).toMatchObject({
      code: 'CSR_INVALID',
      message: expect.stringMatching(
        /^Resources\.certificate\.Properties\.CertificateSigningRequest \(parameter 'CSR' gives it\): The CSR has text/,
      ) as unknown,
    });
  });
});

describe('what a thing may hold', () => {
  it('at most 50 attributes and 10 groups', () => {
    const attributes = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, 'v']));
    const groups = (n: number) => Array.from({ length: n }, (_, i) => `g${i}`);
    expect(
      Object.keys(
        expand(thing({ ThingName: 'd', AttributePayload: attributes(50) })).thing?.attributes ?? {},
      ),
    ).toHaveLength(50);
    expectTemplateError(
      () => expand(thing({ ThingName: 'd', AttributePayload: attributes(51) })),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.thing.Properties.AttributePayload',
      /has 51 attributes; AWS IoT gives a thing at most 50/,
    );
    expect(expand(thing({ ThingName: 'd', ThingGroups: groups(10) })).thing?.thingGroups).toHaveLength(10);
    expectTemplateError(
      () => expand(thing({ ThingName: 'd', ThingGroups: groups(11) })),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.thing.Properties.ThingGroups',
      /holds 11 names; AWS IoT takes at most 10/,
    );
  });
});

describe('mutually exclusive properties, when the template is read', () => {
  const certificate = (properties: JsonObject) => ({
    Parameters: { Id: STRING, Pem: STRING, UsePem: STRING },
    Conditions: { UsePem: { 'Fn::Equals': [{ Ref: 'UsePem' }, 'yes'] } },
    Resources: { certificate: { Type: 'AWS::IoT::Certificate', Properties: properties } },
  });

  it('are refused when two are always set', () => {
    expectTemplateError(
      () => parseTemplate(certificate({ CertificateId: { Ref: 'Id' }, CertificatePem: { Ref: 'Pem' } })),
      'TEMPLATE_INVALID',
      'Resources.certificate.Properties',
      /not both CertificateId and CertificatePem; AWS IoT takes only one/,
    );
  });

  it('are accepted when an Fn::If can leave one out', () => {
    const chosen = certificate({
      CertificateId: { 'Fn::If': ['UsePem', { Ref: 'AWS::NoValue' }, { Ref: 'Id' }] },
      CertificatePem: { 'Fn::If': ['UsePem', { Ref: 'Pem' }, { Ref: 'AWS::NoValue' }] },
    });
    expect(() => parseTemplate(chosen)).not.toThrow();
    expect(expand(chosen, { Id: 'a'.repeat(64), Pem: '', UsePem: 'no' }).certificate?.certificateId).toBe(
      'a'.repeat(64),
    );
  });
});
