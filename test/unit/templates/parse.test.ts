import { describe, expect, it } from '@jest/globals';
import {
  parseTemplate,
  requiredParameters,
  TemplateError,
  type JsonObject,
} from '../../../src/templates/index.js';
import { expectTemplateError } from './helpers.js';

const THING = { Type: 'AWS::IoT::Thing', Properties: { ThingName: 'device-1' } };
const withResources = (resources: JsonObject, sections: JsonObject = {}) => ({
  ...sections,
  Resources: resources,
});
const refuse = (template: unknown) => () => parseTemplate(template);

describe('parseTemplate', () => {
  it('accepts a JSON string or a parsed value, and copies the latter', () => {
    const thing = { Type: 'AWS::IoT::Thing', Properties: { ThingName: 'device-1' } };
    const value = withResources({ thing }, { CDF: { createDeviceAWSCertificate: true } });
    const fromValue = parseTemplate(value);
    expect(parseTemplate(JSON.stringify(value))).toEqual(fromValue);
    expect(fromValue.cdf).toEqual({ createDeviceAWSCertificate: true });
    expect(fromValue.aws).not.toHaveProperty('CDF');
    thing.Properties.ThingName = 'changed';
    expect(fromValue.aws.Resources.thing?.Properties.ThingName).toBe('device-1');
  });

  it('says where bad JSON is broken', () => {
    expectTemplateError(
      refuse('{\n  "Resources": {\n    "thing": { "Type": "AWS::IoT::Thing", }\n  }\n}'),
      'TEMPLATE_JSON_INVALID',
      '',
      /^template: not valid JSON at line 3, column 43/,
    );
    expectTemplateError(
      refuse('{"Resources": {"thing": tru}}'),
      'TEMPLATE_JSON_INVALID',
      '',
      /line 1, column 25/,
    );
    expectTemplateError(refuse(''), 'TEMPLATE_JSON_INVALID', '', /line 1, column 1/);
    expectTemplateError(refuse('{} x'), 'TEMPLATE_JSON_INVALID', '', /line 1, column 4/);
    expectTemplateError(refuse('{"a": "\u0001"}'), 'TEMPLATE_JSON_INVALID', '', /line 1, column 7/);
  });

  it('refuses what is not a template object', () => {
    expectTemplateError(refuse('[]'), 'TEMPLATE_INVALID', '', /must be a JSON object/);
    expectTemplateError(refuse(undefined), 'TEMPLATE_INVALID', '', /not representable as JSON/);
    expectTemplateError(refuse({}), 'TEMPLATE_INVALID', 'Resources', /is required/);
    expectTemplateError(refuse({ Resources: {} }), 'TEMPLATE_INVALID', 'Resources', /declares no resource/);
    expectTemplateError(refuse({ Resources: [] }), 'TEMPLATE_INVALID', 'Resources', /must be an object/);
  });

  it('refuses unknown sections, and a CDF block that is not an object', () => {
    expectTemplateError(
      refuse(withResources({ thing: THING }, { Outputs: {} })),
      'TEMPLATE_INVALID',
      'Outputs',
      /is not a template section; use Parameters, Mappings, Conditions, Resources, DeviceConfiguration/,
    );
    expectTemplateError(
      refuse(withResources({ thing: THING }, { CDF: true })),
      'TEMPLATE_INVALID',
      'CDF',
      /must be an object/,
    );
    expectTemplateError(
      refuse(withResources({ thing: THING }, { DeviceConfiguration: 'x' })),
      'TEMPLATE_INVALID',
      'DeviceConfiguration',
    );
  });
});

describe('resources', () => {
  it('must be of a type AWS IoT templates support', () => {
    expectTemplateError(
      refuse(withResources({ bucket: { Type: 'AWS::S3::Bucket', Properties: {} } })),
      'TEMPLATE_INVALID',
      'Resources.bucket.Type',
      /"AWS::S3::Bucket" is not a supported resource type; use AWS::IoT::Thing, AWS::IoT::Certificate, AWS::IoT::Policy/,
    );
    expectTemplateError(refuse(withResources({ thing: 'x' })), 'TEMPLATE_INVALID', 'Resources.thing');
    expectTemplateError(
      refuse(withResources({ thing: { Type: 'AWS::IoT::Thing' } })),
      'TEMPLATE_INVALID',
      'Resources.thing.Properties',
    );
    expectTemplateError(
      refuse(withResources({ thing: { ...THING, DependsOn: 'x' } })),
      'TEMPLATE_INVALID',
      'Resources.thing.DependsOn',
      /is not a resource key/,
    );
  });

  it('may declare one thing, one certificate and any number of policies', () => {
    expectTemplateError(
      refuse(withResources({ one: THING, two: THING })),
      'TEMPLATE_INVALID',
      'Resources',
      /declares one, two, but a template can declare only one AWS::IoT::Thing/,
    );
    const certificate = {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' } },
    };
    expectTemplateError(
      refuse(withResources({ a: certificate, b: certificate })),
      'TEMPLATE_INVALID',
      'Resources',
      /only one AWS::IoT::Certificate/,
    );
    const policy = { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'p' } };
    expect(
      Object.keys(parseTemplate(withResources({ a: policy, b: policy, c: policy })).aws.Resources),
    ).toHaveLength(3);
  });

  it('refuse properties AWS IoT does not document for the type', () => {
    expectTemplateError(
      refuse(withResources({ thing: { ...THING, Properties: { ThingName: 'a', Attributes: {} } } })),
      'TEMPLATE_INVALID',
      'Resources.thing.Properties.Attributes',
      /is not a AWS::IoT::Thing property; use ThingName, AttributePayload, ThingTypeName, ThingGroups, BillingGroup/,
    );
    expectTemplateError(
      refuse(withResources({ thing: { ...THING, Properties: { ThingName: 'a', PackageVersions: 'x' } } })),
      'TEMPLATE_UNSUPPORTED',
      'Resources.thing.Properties.PackageVersions',
    );
    expectTemplateError(
      refuse(withResources({ c: { Type: 'AWS::IoT::Certificate', Properties: { CertificateID: 'x' } } })),
      'TEMPLATE_INVALID',
      'Resources.c.Properties.CertificateID',
      /use CertificateSigningRequest, CertificateId/,
    );
  });

  it('need the properties AWS IoT requires', () => {
    expectTemplateError(
      refuse(withResources({ thing: { Type: 'AWS::IoT::Thing', Properties: { ThingTypeName: 't' } } })),
      'TEMPLATE_INVALID',
      'Resources.thing.Properties',
      /ThingName is required/,
    );
    expectTemplateError(
      refuse(withResources({ c: { Type: 'AWS::IoT::Certificate', Properties: { Status: 'ACTIVE' } } })),
      'TEMPLATE_INVALID',
      'Resources.c.Properties',
      /set exactly one of CertificateSigningRequest, CertificateId, CertificatePem/,
    );
    expectTemplateError(
      refuse(
        withResources({
          c: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: 'x', CACertificatePem: 'y' } },
        }),
      ),
      'TEMPLATE_INVALID',
      'Resources.c.Properties.CACertificatePem',
      /only allowed together with CertificatePem/,
    );
    expectTemplateError(
      refuse(withResources({ p: { Type: 'AWS::IoT::Policy', Properties: {} } })),
      'TEMPLATE_INVALID',
      'Resources.p.Properties',
      /set exactly one of PolicyName, PolicyDocument/,
    );
  });

  it('check OverrideSettings against what AWS IoT allows per property', () => {
    const thing = (settings: unknown) =>
      withResources({ thing: { ...THING, OverrideSettings: settings } } as JsonObject);
    expect(
      parseTemplate(thing({ AttributePayload: 'MERGE', ThingGroups: 'MERGE', ThingTypeName: 'FAIL' })).aws
        .Resources.thing?.OverrideSettings,
    ).toEqual({ AttributePayload: 'MERGE', ThingGroups: 'MERGE', ThingTypeName: 'FAIL' });
    expectTemplateError(
      refuse(thing({ ThingTypeName: 'MERGE' })),
      'TEMPLATE_INVALID',
      'Resources.thing.OverrideSettings.ThingTypeName',
      /"MERGE" is not allowed; use DO_NOTHING, REPLACE, FAIL/,
    );
    expectTemplateError(
      refuse(thing({ ThingName: 'REPLACE' })),
      'TEMPLATE_INVALID',
      'Resources.thing.OverrideSettings.ThingName',
      /use AttributePayload, ThingTypeName, ThingGroups/,
    );
    expectTemplateError(refuse(thing('REPLACE')), 'TEMPLATE_INVALID', 'Resources.thing.OverrideSettings');
    expectTemplateError(
      refuse(
        withResources({
          p: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'p' }, OverrideSettings: {} },
        }),
      ),
      'TEMPLATE_INVALID',
      'Resources.p.OverrideSettings',
      /AWS::IoT::Policy has no OverrideSettings/,
    );
    const certificate = { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: 'x' } };
    expectTemplateError(
      refuse(withResources({ c: { ...certificate, OverrideSettings: { Status: 'MERGE' } } })),
      'TEMPLATE_INVALID',
      'Resources.c.OverrideSettings.Status',
    );
  });
});

describe('parameters', () => {
  const declare = (parameters: unknown) =>
    withResources({ thing: THING }, { Parameters: parameters } as JsonObject);

  it('are typed, with Default and AllowedValues as strings', () => {
    const parsed = parseTemplate(
      declare({
        Name: {
          Type: 'String',
          Description: 'the name',
          AllowedPattern: '[a-z]+',
          MinLength: 1,
          MaxLength: 8,
        },
        Count: { Type: 'Number', Default: 3, AllowedValues: [1, 3], MinValue: 0, MaxValue: 5 },
        'AWS::IoT::Certificate::Country': { Type: 'String' },
      }),
    );
    expect(parsed.parameterNames).toEqual(['Name', 'Count', 'AWS::IoT::Certificate::Country']);
    expect(parsed.aws.Parameters?.Count).toEqual({
      Type: 'Number',
      Default: '3',
      AllowedValues: ['1', '3'],
      MinValue: 0,
      MaxValue: 5,
    });
    expect(requiredParameters(parsed)).toEqual(['Name']);
  });

  it('refuse definitions that are wrong or could never be met', () => {
    const refused = (definition: unknown, path: string, says?: RegExp) =>
      expectTemplateError(refuse(declare({ P: definition })), 'TEMPLATE_INVALID', path, says);
    refused('String', 'Parameters.P', /must be an object/);
    refused({}, 'Parameters.P.Type', /must be one of String, Number/);
    refused({ Type: 'CommaDelimitedList' }, 'Parameters.P.Type');
    refused({ Type: 'String', default: 'x' }, 'Parameters.P.default', /unknown parameter property/);
    refused({ Type: 'String', MinValue: 1 }, 'Parameters.P.MinValue', /does not apply to a String parameter/);
    refused({ Type: 'Number', AllowedPattern: 'x' }, 'Parameters.P.AllowedPattern');
    refused(
      { Type: 'String', AllowedPattern: '(' },
      'Parameters.P.AllowedPattern',
      /not a valid regular expression/,
    );
    refused({ Type: 'String', MaxLength: -1 }, 'Parameters.P.MaxLength', /whole number/);
    refused({ Type: 'String', AllowedValues: [] }, 'Parameters.P.AllowedValues', /non-empty list/);
    refused({ Type: 'String', AllowedValues: [{}] }, 'Parameters.P.AllowedValues');
    refused({ Type: 'String', Default: true }, 'Parameters.P.Default', /must be a string/);
    refused(
      { Type: 'String', Default: 'c', AllowedValues: ['a', 'b'] },
      'Parameters.P.Default',
      /not one of the AllowedValues/,
    );
    refused({ Type: 'Number', Default: 'many' }, 'Parameters.P.Default', /not a number/);
    expectTemplateError(
      refuse(declare({ 'AWS::Region': { Type: 'String' } })),
      'TEMPLATE_INVALID',
      'Parameters.AWS::Region',
      /cannot be a parameter name/,
    );
  });
});

describe('mappings', () => {
  it('hold strings or lists of strings, never functions', () => {
    const mapped = (mappings: unknown) =>
      withResources({ thing: THING }, { Mappings: mappings } as JsonObject);
    expect(parseTemplate(mapped({ M: { K: { A: 'a', B: ['b', 'c'] } } })).aws.Mappings).toEqual({
      M: { K: { A: 'a', B: ['b', 'c'] } },
    });
    expectTemplateError(
      refuse(mapped({ M: { K: { A: { Ref: 'X' } } } })),
      'TEMPLATE_INVALID',
      'Mappings.M.K.A',
      /cannot use functions/,
    );
    expectTemplateError(refuse(mapped({ M: { K: 'a' } })), 'TEMPLATE_INVALID', 'Mappings.M.K');
    expectTemplateError(refuse(mapped({ M: ['a'] })), 'TEMPLATE_INVALID', 'Mappings.M');
  });
});

describe('TemplateError', () => {
  it('is an invalid-input service error with a stable code', () => {
    try {
      parseTemplate('nope');
      throw new Error('parseTemplate accepted nonsense');
    } catch (e: unknown) {
      expect(e).toBeInstanceOf(TemplateError);
      expect(e).toMatchObject({ name: 'TemplateError', kind: 'invalid', code: 'TEMPLATE_JSON_INVALID' });
    }
  });
});
