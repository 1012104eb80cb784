import { describe, expect, it } from '@jest/globals';
import { parseTemplate } from '../../../src/templates/index.js';
import { evaluateProbe, expectTemplateError, probe } from './helpers.js';

const OUT = 'DeviceConfiguration.out';
const PARAMETERS = {
  Parameters: {
    Serial: { Type: 'String' },
    Csv: { Type: 'String', Default: 'a,b,c' },
    Index: { Type: 'String', Default: '1' },
    Region: { Type: 'String', Default: 'Seattle' },
  },
  Mappings: {
    Locations: {
      Seattle: { Url: 'https://seattle.example', Groups: ['west', 'rain'] },
      Berlin: { Url: 'https://berlin.example', Groups: ['east'] },
    },
  },
};
const run = (
  expression: Parameters<typeof probe>[0],
  parameters: Record<string, string> = { Serial: 'SN1' },
) => evaluateProbe(expression, PARAMETERS, parameters);
const refuse = (expression: Parameters<typeof probe>[0]) => () =>
  parseTemplate(probe(expression, PARAMETERS));

describe('Ref', () => {
  it('gives parameters, defaults and pseudo parameters', () => {
    expect(run({ Ref: 'Serial' })).toBe('SN1');
    expect(run({ Ref: 'Region' })).toBe('Seattle');
    expect(run({ Ref: 'AWS::Region' })).toBe('eu-west-1');
    expect(run({ Ref: 'AWS::AccountId' })).toBe('123456789012');
  });

  it('gives the AWS IoT certificate parameters only when the context knows them', () => {
    const context = {
      region: 'r',
      accountId: 'a',
      certificateId: 'c1',
      certificateSubject: { CommonName: 'cn' },
    };
    expect(evaluateProbe({ Ref: 'AWS::IoT::Certificate::Id' }, {}, {}, context)).toBe('c1');
    expect(evaluateProbe({ Ref: 'AWS::IoT::Certificate::CommonName' }, {}, {}, context)).toBe('cn');
    expectTemplateError(
      () => evaluateProbe({ Ref: 'AWS::IoT::Certificate::Id' }),
      'TEMPLATE_PARAMETER_MISSING',
      OUT,
      /AWS::IoT::Certificate::Id has no value/,
    );
  });

  it('refuses unknown names, resources and bad shapes', () => {
    expectTemplateError(
      refuse({ Ref: 'Nope' }),
      'TEMPLATE_REFERENCE_UNKNOWN',
      OUT,
      /"Nope".*declared: Serial, Csv/,
    );
    expectTemplateError(refuse({ Ref: 'thing' }), 'TEMPLATE_REFERENCE_UNKNOWN', OUT, /is a resource/);
    expectTemplateError(
      refuse({ Ref: ['Serial'] }),
      'TEMPLATE_FUNCTION_INVALID',
      OUT,
      /Ref expects "ParameterName"/,
    );
    expectTemplateError(
      refuse({ Ref: 'Serial', Extra: 1 }),
      'TEMPLATE_FUNCTION_INVALID',
      OUT,
      /must be the only key/,
    );
  });
});

describe('Fn::Join', () => {
  it('joins literals, references and nested functions', () => {
    expect(run({ 'Fn::Join': ['-', ['x', { Ref: 'Serial' }, { 'Fn::Base64': 'a' }]] })).toBe('x-SN1-YQ==');
    expect(run({ 'Fn::Join': ['', []] })).toBe('');
    expect(run({ 'Fn::Join': ['+', { 'Fn::Split': [',', { Ref: 'Csv' }] }] })).toBe('a+b+c');
  });

  it('refuses bad shapes and values that are not strings', () => {
    expectTemplateError(
      refuse({ 'Fn::Join': ['-'] }),
      'TEMPLATE_FUNCTION_INVALID',
      OUT,
      /Fn::Join expects \[delimiter, \[values\]\]/,
    );
    expectTemplateError(refuse({ 'Fn::Join': [1, ['a']] }), 'TEMPLATE_FUNCTION_INVALID', OUT);
    expectTemplateError(refuse({ 'Fn::Join': ['-', 'a'] }), 'TEMPLATE_FUNCTION_INVALID', OUT);
    expectTemplateError(
      () => run({ 'Fn::Join': ['-', ['a', 1]] }),
      'TEMPLATE_FUNCTION_INVALID',
      `${OUT}.Fn::Join[1]`,
      /expected a string, not 1/,
    );
  });
});

describe('Fn::Sub', () => {
  it('substitutes parameters, pseudo parameters and its own variables, keeping ${!escapes}', () => {
    expect(run({ 'Fn::Sub': 'arn:aws:iot:${AWS::Region}:${AWS::AccountId}:thing/${Serial}' })).toBe(
      'arn:aws:iot:eu-west-1:123456789012:thing/SN1',
    );
    expect(run({ 'Fn::Sub': ['${Prefix}-${Serial}', { Prefix: { 'Fn::Join': ['', ['p', 'q']] } }] })).toBe(
      'pq-SN1',
    );
    expect(run({ 'Fn::Sub': ['${Serial}', { Serial: 'local wins' }] })).toBe('local wins');
    expect(run({ 'Fn::Sub': 'topic/${!iot:ClientId}/${Serial}' })).toBe('topic/${iot:ClientId}/SN1');
  });

  it('refuses unknown variables, resource attributes and bad shapes', () => {
    expectTemplateError(
      refuse({ 'Fn::Sub': 'x-${Missing}' }),
      'TEMPLATE_REFERENCE_UNKNOWN',
      OUT,
      /"Missing"/,
    );
    expectTemplateError(
      refuse({ 'Fn::Sub': '${thing.Arn}' }),
      'TEMPLATE_FUNCTION_INVALID',
      OUT,
      /Fn::GetAtt/,
    );
    expectTemplateError(
      refuse({ 'Fn::Sub': '${AWS::NoValue}' }),
      'TEMPLATE_FUNCTION_INVALID',
      OUT,
      /AWS::NoValue/,
    );
    expectTemplateError(
      refuse({ 'Fn::Sub': ['a', 'b'] }),
      'TEMPLATE_FUNCTION_INVALID',
      OUT,
      /Fn::Sub expects/,
    );
    expectTemplateError(refuse({ 'Fn::Sub': ['a', {}, {}] }), 'TEMPLATE_FUNCTION_INVALID', OUT);
    expectTemplateError(refuse({ 'Fn::Sub': 7 }), 'TEMPLATE_FUNCTION_INVALID', OUT);
    expectTemplateError(
      () => run({ 'Fn::Sub': ['${V}', { V: ['a'] }] }),
      'TEMPLATE_FUNCTION_INVALID',
      `${OUT}.Fn::Sub[1].V`,
      /expected a string/,
    );
  });
});

describe('Fn::Select and Fn::Split', () => {
  it('select by number, numeric string or reference from literal and split lists', () => {
    expect(run({ 'Fn::Select': [0, ['a', 'b']] })).toBe('a');
    expect(run({ 'Fn::Select': ['1', ['a', 'b']] })).toBe('b');
    expect(run({ 'Fn::Select': [{ Ref: 'Index' }, { 'Fn::Split': [',', { Ref: 'Csv' }] }] })).toBe('b');
    expect(run({ 'Fn::Select': ['2', { 'Fn::Split': ['::', 'x::y::z'] }] })).toBe('z');
  });

  it('refuse out of range indexes, bad indexes and bad shapes', () => {
    expectTemplateError(
      () => run({ 'Fn::Select': [2, ['a', 'b']] }),
      'TEMPLATE_FUNCTION_INVALID',
      `${OUT}.Fn::Select[0]`,
      /index 2 is outside the 2 values/,
    );
    expectTemplateError(
      () => run({ 'Fn::Select': ['-1', ['a']] }),
      'TEMPLATE_FUNCTION_INVALID',
      `${OUT}.Fn::Select[0]`,
      /expected an index/,
    );
    expectTemplateError(
      () => run({ 'Fn::Select': [0.5, ['a']] }),
      'TEMPLATE_FUNCTION_INVALID',
      `${OUT}.Fn::Select[0]`,
    );
    expectTemplateError(
      refuse({ 'Fn::Select': [0] }),
      'TEMPLATE_FUNCTION_INVALID',
      OUT,
      /Fn::Select expects \[index, \[values\]\]/,
    );
    expectTemplateError(refuse({ 'Fn::Select': [0, 'a,b'] }), 'TEMPLATE_FUNCTION_INVALID', OUT);
    expectTemplateError(
      () => run({ 'Fn::Select': [0, { Ref: 'Csv' }] }),
      'TEMPLATE_FUNCTION_INVALID',
      `${OUT}.Fn::Select[1]`,
      /expected a list/,
    );
  });

  it('refuse a bad Fn::Split', () => {
    expectTemplateError(
      refuse({ 'Fn::Split': [',', 'a', 'b'] }),
      'TEMPLATE_FUNCTION_INVALID',
      OUT,
      /Fn::Split expects \[delimiter, text\]/,
    );
    expectTemplateError(
      refuse({ 'Fn::Split': ['', 'a'] }),
      'TEMPLATE_FUNCTION_INVALID',
      OUT,
      /non-empty delimiter/,
    );
    expectTemplateError(
      () => run({ 'Fn::Split': [',', ['a']] }),
      'TEMPLATE_FUNCTION_INVALID',
      `${OUT}.Fn::Split[1]`,
      /expected a string/,
    );
  });
});

describe('Fn::FindInMap', () => {
  it('looks up literal and parameter keys, giving strings or lists', () => {
    expect(run({ 'Fn::FindInMap': ['Locations', 'Berlin', 'Url'] })).toBe('https://berlin.example');
    expect(run({ 'Fn::FindInMap': ['Locations', { Ref: 'Region' }, 'Url'] })).toBe('https://seattle.example');
    expect(run({ 'Fn::Join': [',', { 'Fn::FindInMap': ['Locations', 'Seattle', 'Groups'] }] })).toBe(
      'west,rain',
    );
  });

  it('refuses missing maps and keys when the template is read', () => {
    expectTemplateError(
      refuse({ 'Fn::FindInMap': ['Nope', 'Berlin', 'Url'] }),
      'TEMPLATE_REFERENCE_UNKNOWN',
      OUT,
      /Mappings has no key "Nope"/,
    );
    expectTemplateError(
      refuse({ 'Fn::FindInMap': ['Locations', 'Paris', 'Url'] }),
      'TEMPLATE_REFERENCE_UNKNOWN',
      OUT,
      /Mappings.Locations has no key "Paris"; use one of: Seattle, Berlin/,
    );
    expectTemplateError(
      refuse({ 'Fn::FindInMap': ['Locations', 'Berlin', 'Port'] }),
      'TEMPLATE_REFERENCE_UNKNOWN',
      OUT,
      /Mappings.Locations.Berlin has no key "Port"/,
    );
    expectTemplateError(
      refuse({ 'Fn::FindInMap': ['Locations', 'Berlin'] }),
      'TEMPLATE_FUNCTION_INVALID',
      OUT,
      /expects \[MapName, TopLevelKey, SecondLevelKey\]/,
    );
  });

  it('refuses a key that only a parameter value shows to be missing', () => {
    expectTemplateError(
      () =>
        run({ 'Fn::FindInMap': ['Locations', { Ref: 'Region' }, 'Url'] }, { Serial: 's', Region: 'Oslo' }),
      'TEMPLATE_REFERENCE_UNKNOWN',
      OUT,
      /has no key "Oslo"/,
    );
  });
});

describe('Fn::Base64', () => {
  it('encodes UTF-8 text', () => {
    expect(run({ 'Fn::Base64': 'héllo' })).toBe(Buffer.from('héllo').toString('base64'));
    expect(run({ 'Fn::Base64': { Ref: 'Serial' } })).toBe('U04x');
  });

  it('refuses what is not text', () => {
    expectTemplateError(
      () => run({ 'Fn::Base64': ['a'] }),
      'TEMPLATE_FUNCTION_INVALID',
      `${OUT}.Fn::Base64`,
      /expected a string/,
    );
  });
});

describe('functions AWS IoT does not support', () => {
  it('are refused with the list of those it does', () => {
    expectTemplateError(
      refuse({ 'Fn::GetAtt': ['thing', 'Arn'] }),
      'TEMPLATE_FUNCTION_INVALID',
      OUT,
      /Fn::GetAtt is not an intrinsic function.*use Ref, Fn::Join/,
    );
    expectTemplateError(refuse({ 'Fn::ImportValue': 'x' }), 'TEMPLATE_FUNCTION_INVALID', OUT);
  });

  it('are refused wherever they are nested', () => {
    expectTemplateError(
      refuse({ 'Fn::Join': ['', ['a', { 'Fn::Length': [1] }]] }),
      'TEMPLATE_FUNCTION_INVALID',
      `${OUT}.Fn::Join[1][1]`,
    );
  });
});
