import { describe, expect, it } from '@jest/globals';
import { MAX_NESTING } from '../../../src/input-shape.js';
import { checkTemplate } from '../../../src/template-admin/check-template.js';
import { referencedNames } from '../../../src/template-admin/references.js';
import { parseTemplate, type JsonObject } from '../../../src/templates/index.js';
import { CONTEXT, expand, expectTemplateError, probe } from './helpers.js';

const THING = { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } };
const withThing = (sections: JsonObject) => ({
  ...sections,
  Parameters: { ThingName: { Type: 'String' }, ...(sections.Parameters as JsonObject | undefined) },
  Resources: { thing: THING, ...(sections.Resources as JsonObject | undefined) },
});

/** The template text, with `fragment` (JSON text) spliced in where a name would be ambiguous in JS. */
const text = (fragment: string) =>
  `{"Parameters":{"ThingName":{"Type":"String"}},"Resources":{"thing":${JSON.stringify(THING)}},${fragment}}`;

/** `levels` nested lists around `inner`, as JSON text. */
const nested = (levels: number, inner = '"x"') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;

describe('names a template may not use', () => {
  it.each([
    ['a parameter', '"Parameters":{"__proto__":{"Type":"String"}}', 'Parameters.__proto__'],
    ['a condition', '"Conditions":{"constructor":{"Fn::Equals":["a","a"]}}', 'Conditions.constructor'],
    ['a mapping key', '"Mappings":{"m":{"toString":{"k":"v"}}}', 'Mappings.m.toString'],
    [
      'a DeviceConfiguration key',
      '"DeviceConfiguration":{"hasOwnProperty":"x"}',
      'DeviceConfiguration.hasOwnProperty',
    ],
  ])('refuses a name every JavaScript object has, as %s (%s)', (_, fragment, path) => {
    expectTemplateError(
      () => parseTemplate(text(fragment)),
      'TEMPLATE_INVALID',
      path,
      /every JavaScript object/,
    );
  });

  it('refuses reserved names inside resources too: attributes, overrides, resource ids', () => {
    const thing = (extra: string) =>
      `{"Resources":{"thing":{"Type":"AWS::IoT::Thing","Properties":{"ThingName":"t"${extra}}}}}`;
    expectTemplateError(
      () => parseTemplate(thing(',"AttributePayload":{"__proto__":"x"}')),
      'TEMPLATE_INVALID',
      'Resources.thing.Properties.AttributePayload.__proto__',
    );
    // OverrideSettings.constructor used to reach Object's own constructor: a TypeError, a 500.
    expectTemplateError(
      () =>
        parseTemplate(
          '{"Resources":{"thing":{"Type":"AWS::IoT::Thing","Properties":{"ThingName":"t"},"OverrideSettings":{"constructor":"FAIL"}}}}',
        ),
      'TEMPLATE_INVALID',
      'Resources.thing.OverrideSettings.constructor',
    );
    expectTemplateError(
      () =>
        parseTemplate('{"Resources":{"valueOf":{"Type":"AWS::IoT::Thing","Properties":{"ThingName":"t"}}}}'),
      'TEMPLATE_INVALID',
      'Resources.valueOf',
    );
  });

  it('refuses a parameter name a request could not send, and a resource id that would split a path', () => {
    expectTemplateError(
      () => parseTemplate(withThing({ Parameters: { 'Serial Number': { Type: 'String' } } })),
      'TEMPLATE_INVALID',
      'Parameters["Serial Number"]',
      /what a request can send/,
    );
    expectTemplateError(
      () =>
        parseTemplate(
          withThing({
            Resources: { 'the.policy': { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'p' } } },
          }),
        ),
      'TEMPLATE_INVALID',
      'Resources["the.policy"]',
      /must not be empty or contain "."/,
    );
  });

  it('still takes the names AWS and CDF templates use', () => {
    const parsed = parseTemplate(
      withThing({
        Parameters: {
          'AWS::IoT::Certificate::CommonName': { Type: 'String' },
          Serial_No: { Type: 'String', Default: 'x' },
          'site-id.v2': { Type: 'String', Default: 'y' },
        },
      }),
    );
    expect(parsed.parameterNames).toEqual([
      'ThingName',
      'AWS::IoT::Certificate::CommonName',
      'Serial_No',
      'site-id.v2',
    ]);
  });

  it('refuses text that is not well-formed Unicode, in values and in keys', () => {
    expectTemplateError(
      () => parseTemplate(text('"DeviceConfiguration":{"a":"x\\ud800"}')),
      'TEMPLATE_INVALID',
      'DeviceConfiguration.a',
      /not well-formed Unicode/,
    );
    const error = expectTemplateError(
      () => parseTemplate(text('"DeviceConfiguration":{"\\udfffkey":"x"}')),
      'TEMPLATE_INVALID',
      'DeviceConfiguration',
    );
    expect(error.message).toContain('"\\udfffkey"');
  });
});

describe('how deep a template may be', () => {
  /** A policy whose document holds `levels` nested lists: the lists start at level 6 of the template. */
  const policyTemplate = (levels: number) =>
    `{"Resources":{"policy":{"Type":"AWS::IoT::Policy","Properties":{"PolicyDocument":{"x":${nested(levels)}}}}}}`;

  it(`takes ${MAX_NESTING} levels of JSON, and checks and expands them`, () => {
    const deepest = MAX_NESTING - 5;
    const expanded = expand(policyTemplate(deepest));
    expect(expanded.policies[0]?.policyDocument).toBe(`{"x":${nested(deepest)}}`);
    expectTemplateError(
      () => parseTemplate(policyTemplate(deepest + 1)),
      'TEMPLATE_TOO_DEEP',
      'Resources.policy.Properties.PolicyDocument.x[0][0][0]… (64 levels)',
    );
  });

  it('refuses 10,000 levels with TEMPLATE_TOO_DEEP naming where, instead of overflowing the stack', () => {
    const error = expectTemplateError(
      () => parseTemplate(text(`"DeviceConfiguration":{"out":${nested(10_000)}}`)),
      'TEMPLATE_TOO_DEEP',
      `DeviceConfiguration.out[0][0][0][0][0][0]… (${MAX_NESTING} levels)`,
    );
    expect(error.kind).toBe('invalid');
    // The same through the PUT checks, which used to die in the intrinsics checker.
    expect(() => checkTemplate(text(`"DeviceConfiguration":{"out":${nested(10_000)}}`), [])).toThrow(
      /more than 64 levels deep/,
    );
  });

  it('refuses a deep value that was already parsed, before copying it', () => {
    let value: unknown = 'x';
    for (let i = 0; i < 100_000; i++) value = [value];
    expectTemplateError(
      () => parseTemplate({ ...probe('x'), DeviceConfiguration: { out: value } }),
      'TEMPLATE_TOO_DEEP',
      `DeviceConfiguration.out[0][0][0][0][0][0]… (${MAX_NESTING} levels)`,
    );
  });

  const chain = (length: number): JsonObject => ({
    Conditions: Object.fromEntries(
      Array.from({ length }, (_, i): [string, JsonObject] => [
        `C${i}`,
        i === length - 1
          ? { 'Fn::Equals': ['a', 'a'] }
          : { 'Fn::Not': [{ 'Fn::Not': [{ Condition: `C${i + 1}` }] }] },
      ]),
    ),
  });

  it('follows a short chain of conditions', () => {
    const template = { ...probe({ 'Fn::If': ['C0', 'yes', 'no'] }), ...chain(10) };
    expect(expand(template, {}, CONTEXT).deviceConfiguration?.out).toBe('yes');
  });

  it('refuses conditions that refer to each other too deep, counting the levels in between', () => {
    // Each link refers to the next 5 levels down (object, list, object, list, object) and the last
    // condition is 2 levels deep: C11 reaches 2 + 5 × 13 = 67 levels through C24.
    expectTemplateError(
      () => parseTemplate({ ...probe('x'), ...chain(25) }),
      'TEMPLATE_TOO_DEEP',
      'Conditions.C11',
      /with the conditions it refers to, is nested more than 64 levels deep/,
    );
  });

  it('refuses a chain of 10,000 conditions without following it to the end', () => {
    const conditions = Object.fromEntries(
      Array.from({ length: 10_000 }, (_, i) => [
        `C${i}`,
        i === 9_999 ? { 'Fn::Equals': ['a', 'a'] } : { Condition: `C${i + 1}` },
      ]),
    );
    expectTemplateError(
      () => parseTemplate({ ...probe('x'), Conditions: conditions }),
      'TEMPLATE_TOO_DEEP',
      'Conditions.C0',
      /conditions refer to each other more than 64 deep \(C0 -> C1 -> C2 -> …\)/,
    );
  });

  it('collects references from the deepest template it takes', () => {
    let value: JsonObject = { Ref: 'ThingName' };
    // Each Fn::Join adds 3 levels below DeviceConfiguration.out (level 3): 20 of them reach 63.
    for (let i = 0; i < 20; i++) value = { 'Fn::Join': ['', [value]] };
    const parsed = parseTemplate(withThing({ DeviceConfiguration: { out: value } }));
    expect([...referencedNames(parsed.aws.DeviceConfiguration ?? {})]).toEqual(['ThingName']);
  });
});
