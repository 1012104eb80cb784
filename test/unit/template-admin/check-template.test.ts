import { describe, expect, it } from '@jest/globals';
import { checkTemplate } from '../../../src/template-admin/check-template.js';
import { referencedNames } from '../../../src/template-admin/references.js';

const MODES = ['createDeviceAWSCertificate'] as const;
const thing = (properties: Record<string, unknown>) => ({
  thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' }, ...properties } },
});
const withThing = (resources: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Parameters: {
      ThingName: { Type: 'String' },
      CertificateId: { Type: 'String' },
      Group: { Type: 'String' },
    },
    Resources: { ...thing({}), ...resources },
    ...extra,
  });

describe('checkTemplate', () => {
  it('reports the mode and the parameters a request must send, less those the mode injects', () => {
    const body = withThing(
      {
        certificate: {
          Type: 'AWS::IoT::Certificate',
          Properties: { CertificateId: { Ref: 'CertificateId' } },
        },
      },
      { CDF: { createDeviceAWSCertificate: true } },
    );
    expect(checkTemplate(body, MODES)).toMatchObject({
      certificateMode: 'createDeviceAWSCertificate',
      callerParameters: ['ThingName', 'Group'],
    });
  });

  it('accepts a mode whose certificate is used through the AWS::IoT::Certificate::Id pseudo parameter', () => {
    const body = withThing(
      {
        certificate: {
          Type: 'AWS::IoT::Certificate',
          Properties: { CertificateId: { 'Fn::Sub': '${AWS::IoT::Certificate::Id}' } },
        },
      },
      { CDF: { createDeviceAWSCertificate: true } },
    );
    expect(checkTemplate(body, MODES).certificateMode).toBe('createDeviceAWSCertificate');
  });

  it('leaves values that depend on a parameter or a condition to provisioning time', () => {
    const body = JSON.stringify({
      Parameters: { ThingName: { Type: 'String' }, Kind: { Type: 'String' } },
      Conditions: { IsPump: { 'Fn::Equals': [{ Ref: 'Kind' }, 'pump'] } },
      Resources: {
        thing: {
          Type: 'AWS::IoT::Thing',
          Properties: {
            ThingName: { 'Fn::Join': ['', [{ Ref: 'ThingName' }]] },
            ThingGroups: { 'Fn::If': ['IsPump', ['pumps'], { Ref: 'AWS::NoValue' }] },
            AttributePayload: { kind: { Ref: 'Kind' } },
          },
        },
      },
    });
    expect(checkTemplate(body, MODES).callerParameters).toEqual(['ThingName', 'Kind']);
  });

  it('evaluates literal functions, so a literal that can never be valid is refused', () => {
    const body = withThing({
      policy: {
        Type: 'AWS::IoT::Policy',
        Properties: { PolicyName: { 'Fn::Join': [' ', ['two', 'words']] } },
      },
    });
    expect(() => checkTemplate(body, MODES)).toThrow(
      /Resources\.policy\.Properties\.PolicyName: "two words" is not a policy name/,
    );
  });

  it('refuses two certificate sources, or a policy name and document, that are always both set', () => {
    const certificate = withThing(
      {
        certificate: {
          Type: 'AWS::IoT::Certificate',
          Properties: { CertificateId: { Ref: 'CertificateId' }, CertificatePem: { Ref: 'Group' } },
        },
      },
      { CDF: { createDeviceAWSCertificate: true } },
    );
    expect(() => checkTemplate(certificate, MODES)).toThrow(
      expect.objectContaining({
        code: 'TEMPLATE_INVALID',
        message: expect.stringMatching(/not both CertificateId and CertificatePem; AWS IoT takes only one/),
      }),
    );
    const policy = withThing({
      policy: {
        Type: 'AWS::IoT::Policy',
        Properties: {
          PolicyName: { Ref: 'Group' },
          PolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
        },
      },
    });
    expect(() => checkTemplate(policy, MODES)).toThrow(/not both PolicyName and PolicyDocument/);
  });

  it('accepts a policy whose name and document a condition chooses between', () => {
    const body = withThing(
      {
        policy: {
          Type: 'AWS::IoT::Policy',
          Properties: {
            PolicyName: { 'Fn::If': ['Shared', { Ref: 'Group' }, { Ref: 'AWS::NoValue' }] },
            PolicyDocument: {
              'Fn::If': ['Shared', { Ref: 'AWS::NoValue' }, '{"Version":"2012-10-17","Statement":[]}'],
            },
          },
        },
      },
      { Conditions: { Shared: { 'Fn::Equals': [{ Ref: 'Group' }, 'shared'] } } },
    );
    expect(checkTemplate(body, MODES).callerParameters).toEqual(['ThingName', 'CertificateId', 'Group']);
  });

  it('refuses a certificate mode this service does not offer, naming the ones it does', () => {
    const body = withThing(
      {
        certificate: {
          Type: 'AWS::IoT::Certificate',
          Properties: { CertificateId: { Ref: 'CertificateId' } },
        },
      },
      { CDF: { registerDeviceCertificateWithoutCA: true } },
    );
    expect(() => checkTemplate(body, MODES)).toThrow(
      expect.objectContaining({
        code: 'CERTIFICATE_MODE_UNAVAILABLE',
        message: expect.stringMatching(
          /registerDeviceCertificateWithoutCA.*offers createDeviceAWSCertificate/,
        ),
      }),
    );
  });
});

describe('referencedNames', () => {
  it('finds Ref and Fn::Sub names, not escaped or locally bound ones', () => {
    const names = referencedNames({
      a: { Ref: 'A' },
      b: { 'Fn::Sub': '${B}-${!Literal}-${AWS::Region}' },
      c: { 'Fn::Sub': ['${C}-${Local}', { Local: { Ref: 'D' } }] },
      d: [{ 'Fn::Join': ['', [{ Ref: 'E' }]] }],
    });
    expect([...names].sort()).toEqual(['A', 'AWS::Region', 'B', 'C', 'D', 'E']);
  });
});
