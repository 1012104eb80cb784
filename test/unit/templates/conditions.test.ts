import { describe, expect, it } from '@jest/globals';
import { parseTemplate, type JsonObject } from '../../../src/templates/index.js';
import { expand, expectTemplateError } from './helpers.js';

const POLICY = (name: string) => ({ Type: 'AWS::IoT::Policy', Properties: { PolicyName: name } });

/** Stage decides the conditions; each policy exists only under its condition. */
function staged(conditions: JsonObject, resources: JsonObject = {}): JsonObject {
  return {
    Parameters: { Stage: { Type: 'String', Default: 'prod' }, Region: { Type: 'String', Default: 'eu' } },
    Conditions: conditions,
    Resources: {
      thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: 'device-1' } },
      ...resources,
    },
  };
}

const names = (template: JsonObject, parameters: Record<string, string> = {}) =>
  expand(template, parameters).policies.map((policy) => policy.policyName);

describe('conditions', () => {
  const template = staged(
    {
      IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
      IsEu: { 'Fn::Equals': ['eu', { Ref: 'Region' }] },
      ProdInEu: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'IsEu' }] },
      ProdOrEu: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsEu' }] },
      NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
      Nested: {
        'Fn::And': [
          { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Stage' }, 'test'] }] },
          { 'Fn::Or': [{ Condition: 'NotProd' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }] },
        ],
      },
    },
    {
      prod: { ...POLICY('prod'), Condition: 'IsProd' },
      prodInEu: { ...POLICY('prodInEu'), Condition: 'ProdInEu' },
      prodOrEu: { ...POLICY('prodOrEu'), Condition: 'ProdOrEu' },
      notProd: { ...POLICY('notProd'), Condition: 'NotProd' },
      nested: { ...POLICY('nested'), Condition: 'Nested' },
      always: POLICY('always'),
    },
  );

  it('drop the resources whose condition is false', () => {
    expect(names(template)).toEqual(['prod', 'prodInEu', 'prodOrEu', 'nested', 'always']);
    expect(names(template, { Stage: 'dev' })).toEqual(['prodOrEu', 'notProd', 'nested', 'always']);
    expect(names(template, { Stage: 'dev', Region: 'us' })).toEqual(['notProd', 'nested', 'always']);
    expect(names(template, { Stage: 'test', Region: 'us' })).toEqual(['notProd', 'always']);
  });

  it('can drop the thing and the certificate too', () => {
    const expanded = expand(
      staged(
        { Never: { 'Fn::Equals': ['a', 'b'] } },
        {
          certificate: {
            Type: 'AWS::IoT::Certificate',
            Condition: 'Never',
            Properties: { CertificateId: 'a'.repeat(64) },
          },
        },
      ),
    );
    expect(expanded.certificate).toBeUndefined();
    expect(expanded.thing?.thingName).toBe('device-1');
  });

  it('compare numbers and strings by their text and lists by content', () => {
    const compare = staged(
      {
        Numbers: { 'Fn::Equals': [1, '1'] },
        Lists: { 'Fn::Equals': [{ 'Fn::Split': [',', 'a,b'] }, ['a', 'b']] },
      },
      {
        numbers: { ...POLICY('numbers'), Condition: 'Numbers' },
        lists: { ...POLICY('lists'), Condition: 'Lists' },
      },
    );
    expect(names(compare)).toEqual(['numbers', 'lists']);
  });
});

describe('Fn::If', () => {
  const template = staged(
    { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
    {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: {
          ThingName: {
            'Fn::If': ['IsProd', 'prod-device', { 'Fn::Join': ['-', [{ Ref: 'Stage' }, 'device']] }],
          },
          ThingTypeName: { 'Fn::If': ['IsProd', 'sensor', { Ref: 'AWS::NoValue' }] },
          ThingGroups: ['all', { 'Fn::If': ['IsProd', { Ref: 'AWS::NoValue' }, 'staging'] }],
          AttributePayload: {
            stage: { Ref: 'Stage' },
            tier: { 'Fn::If': ['IsProd', 'gold', { Ref: 'AWS::NoValue' }] },
          },
        },
      },
    },
  );

  it('chooses a value, and AWS::NoValue removes the property or list item', () => {
    expect(expand(template).thing).toMatchObject({
      thingName: 'prod-device',
      thingTypeName: 'sensor',
      thingGroups: ['all'],
      attributes: { stage: 'prod', tier: 'gold' },
    });
    const dev = expand(template, { Stage: 'dev' }).thing;
    expect(dev).toEqual({
      logicalId: 'thing',
      thingName: 'dev-device',
      thingGroups: ['all', 'staging'],
      attributes: { stage: 'dev' },
      overrideSettings: {},
    });
  });

  it('evaluates only the branch it takes', () => {
    const lazy = staged(
      { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
      {
        thing: {
          Type: 'AWS::IoT::Thing',
          Properties: {
            ThingName: { 'Fn::If': ['IsProd', 'device-1', { 'Fn::Select': [5, ['a']] }] },
          },
        },
      },
    );
    expect(expand(lazy).thing?.thingName).toBe('device-1');
    expectTemplateError(
      () => expand(lazy, { Stage: 'dev' }),
      'TEMPLATE_FUNCTION_INVALID',
      'Resources.thing.Properties.ThingName.Fn::If[2].Fn::Select[0]',
      /outside/,
    );
  });

  it('refuses unknown conditions and bad shapes', () => {
    const withName = (value: unknown) =>
      staged({}, { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: value } } } as JsonObject);
    expectTemplateError(
      () => parseTemplate(withName({ 'Fn::If': ['Missing', 'a', 'b'] })),
      'TEMPLATE_REFERENCE_UNKNOWN',
      'Resources.thing.Properties.ThingName',
      /no condition named "Missing"; declare it under Conditions/,
    );
    expectTemplateError(
      () => parseTemplate(withName({ 'Fn::If': ['IsProd', 'a'] })),
      'TEMPLATE_FUNCTION_INVALID',
      'Resources.thing.Properties.ThingName',
      /Fn::If expects \[ConditionName, valueIfTrue, valueIfFalse\]/,
    );
    expectTemplateError(
      () => parseTemplate(withName({ 'Fn::If': [{ Condition: 'IsProd' }, 'a', 'b'] })),
      'TEMPLATE_FUNCTION_INVALID',
      'Resources.thing.Properties.ThingName',
    );
  });

  it('refuses AWS::NoValue where a string is needed', () => {
    const template = staged(
      {},
      {
        thing: {
          Type: 'AWS::IoT::Thing',
          Properties: { ThingName: { 'Fn::Join': ['', ['a', { 'Fn::Base64': { Ref: 'AWS::NoValue' } }]] } },
        },
      },
    );
    expectTemplateError(
      () => expand(template),
      'TEMPLATE_FUNCTION_INVALID',
      'Resources.thing.Properties.ThingName.Fn::Join[1][1].Fn::Base64',
      /AWS::NoValue can only stand for a whole property/,
    );
  });

  it('refuses a required property that turns out to be AWS::NoValue', () => {
    const template = staged(
      { Never: { 'Fn::Equals': ['a', 'b'] } },
      {
        thing: {
          Type: 'AWS::IoT::Thing',
          Properties: { ThingName: { 'Fn::If': ['Never', 'x', { Ref: 'AWS::NoValue' }] } },
        },
      },
    );
    expectTemplateError(
      () => expand(template),
      'TEMPLATE_PROPERTY_INVALID',
      'Resources.thing.Properties',
      /ThingName is required/,
    );
  });
});

describe('badly written conditions', () => {
  const refuse =
    (conditions: JsonObject, resources: JsonObject = {}) =>
    () =>
      parseTemplate(staged(conditions, resources));

  it('must be condition functions', () => {
    expectTemplateError(
      refuse({ A: 'true' }),
      'TEMPLATE_CONDITION_INVALID',
      'Conditions.A',
      /expected a condition function/,
    );
    expectTemplateError(
      refuse({ A: { Ref: 'Stage' } }),
      'TEMPLATE_CONDITION_INVALID',
      'Conditions.A',
      /a condition cannot be Ref/,
    );
    expectTemplateError(
      refuse({ A: { 'Fn::And': [{ 'Fn::Equals': ['a', 'a'] }, 'yes'] } }),
      'TEMPLATE_CONDITION_INVALID',
      'Conditions.A.Fn::And[1]',
    );
  });

  it('have the documented arity', () => {
    expectTemplateError(
      refuse({ A: { 'Fn::Equals': ['a'] } }),
      'TEMPLATE_FUNCTION_INVALID',
      'Conditions.A',
      /Fn::Equals expects \[value1, value2\]/,
    );
    expectTemplateError(
      refuse({ A: { 'Fn::And': [{ 'Fn::Equals': ['a', 'a'] }] } }),
      'TEMPLATE_FUNCTION_INVALID',
      'Conditions.A',
      /2 to 10/,
    );
    const eleven = Array.from({ length: 11 }, () => ({ 'Fn::Equals': ['a', 'a'] }));
    expectTemplateError(refuse({ A: { 'Fn::Or': eleven } }), 'TEMPLATE_FUNCTION_INVALID', 'Conditions.A');
    expectTemplateError(
      refuse({ A: { 'Fn::Not': { 'Fn::Equals': ['a', 'a'] } } }),
      'TEMPLATE_FUNCTION_INVALID',
      'Conditions.A',
      /Fn::Not expects \[condition\]/,
    );
  });

  it('refer only to conditions that exist, without loops', () => {
    expectTemplateError(
      refuse({ A: { 'Fn::Not': [{ Condition: 'B' }] } }),
      'TEMPLATE_REFERENCE_UNKNOWN',
      'Conditions.A.Fn::Not[0]',
      /no condition named "B"/,
    );
    expectTemplateError(
      refuse({
        A: { 'Fn::Not': [{ Condition: 'B' }] },
        B: { 'Fn::Or': [{ Condition: 'C' }, { 'Fn::Equals': ['a', 'b'] }] },
        C: { 'Fn::Not': [{ Condition: 'A' }] },
      }),
      'TEMPLATE_CONDITION_INVALID',
      'Conditions.A',
      /loop \(A -> B -> C -> A\)/,
    );
    expectTemplateError(
      refuse({ A: { 'Fn::Not': [{ Condition: 'A' }] } }),
      'TEMPLATE_CONDITION_INVALID',
      'Conditions.A',
      /loop/,
    );
    expectTemplateError(
      refuse({}, { p: { ...POLICY('p'), Condition: 'Missing' } }),
      'TEMPLATE_REFERENCE_UNKNOWN',
      'Resources.p.Condition',
    );
    expectTemplateError(
      refuse({}, { p: { ...POLICY('p'), Condition: ['A'] } }),
      'TEMPLATE_INVALID',
      'Resources.p.Condition',
    );
  });

  it('keep condition functions and Fn::If in their places', () => {
    expectTemplateError(
      refuse({ A: { 'Fn::Equals': [{ 'Fn::If': ['A', 'x', 'y'] }, 'x'] } }),
      'TEMPLATE_CONDITION_INVALID',
      'Conditions.A.Fn::Equals[0]',
      /Fn::If cannot be used inside Conditions/,
    );
    expectTemplateError(
      refuse({ A: { 'Fn::Equals': [{ 'Fn::Equals': ['a', 'a'] }, 'x'] } }),
      'TEMPLATE_CONDITION_INVALID',
      'Conditions.A.Fn::Equals[0]',
    );
    expectTemplateError(
      refuse(
        {},
        { p: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: { 'Fn::Equals': ['a', 'a'] } } } },
      ),
      'TEMPLATE_CONDITION_INVALID',
      'Resources.p.Properties.PolicyName',
      /only be used in the Conditions section/,
    );
  });

  it('treat a Condition key outside conditions as plain data', () => {
    const template = staged(
      {},
      {
        policy: {
          Type: 'AWS::IoT::Policy',
          Properties: {
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'iot:Connect',
                  Resource: '*',
                  Condition: { Bool: { 'iot:Connection.Thing.IsAttached': ['true'] } },
                },
              ],
            },
          },
        },
      },
    );
    expect(JSON.parse(expand(template).policies[0]?.policyDocument ?? '')).toMatchObject({
      Statement: [{ Condition: { Bool: { 'iot:Connection.Thing.IsAttached': ['true'] } } }],
    });
  });
});
