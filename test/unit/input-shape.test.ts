import { describe, expect, it } from '@jest/globals';
import Type from 'typebox';
import { parseLine } from '../../src/bulk/parse-line.js';
import { isReservedName, MAX_NESTING, shapeProblems } from '../../src/input-shape.js';
import { ProvisionRequest } from '../../src/tasks/request.js';
import { validator } from '../../src/validation.js';

/** JSON text nested `levels` deep in lists, as a client could send it. */
const nestedLists = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const provision = validator(ProvisionRequest);
const line = (text: string) => parseLine(Buffer.from(text, 'utf8'));

describe('shapeProblems', () => {
  it('accepts MAX_NESTING levels and refuses one more, naming where', () => {
    expect(shapeProblems(JSON.parse(nestedLists(MAX_NESTING)))).toEqual([]);
    const [problem] = shapeProblems(JSON.parse(nestedLists(MAX_NESTING + 1)));
    expect(problem).toMatchObject({ kind: 'too-deep', path: Array(MAX_NESTING).fill(0) });
  });

  it('walks 100,000 levels without recursion', () => {
    const [problem] = shapeProblems(JSON.parse(nestedLists(100_000)));
    expect(problem?.kind).toBe('too-deep');
  });

  it('finds unpaired surrogates in values and in keys, but takes a surrogate pair', () => {
    const value = JSON.parse('{"ok":"\\ud83d\\ude00","a":["x","\\ud800"],"\\udc00b":"y"}') as unknown;
    const problems = shapeProblems(value);
    expect(problems.map((p) => [p.kind, p.path])).toEqual([
      ['ill-formed-text', []],
      ['ill-formed-text', ['a', 1]],
    ]);
    // The bad key is shown escaped, so the message itself is well-formed text.
    expect(problems[0]?.problem).toContain('"\\udc00b"');
    expect(problems.every((p) => p.problem.isWellFormed())).toBe(true);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'refuses the name %s, which every object already has',
    (name) => {
      expect(isReservedName(name)).toBe(true);
      const value = JSON.parse(`{"parameters":{"${name}":"x"}}`) as unknown;
      expect(shapeProblems(value)).toEqual([
        expect.objectContaining({ kind: 'reserved-name', path: ['parameters', name] }),
      ]);
    },
  );

  it('takes ordinary names, including ones close to the reserved ones', () => {
    expect(shapeProblems({ proto: 'x', Constructor: 'y', tostring: 'z', __proto: 'w' })).toEqual([]);
  });
});

describe('every validator', () => {
  const anything = validator(Type.Unknown());

  it('refuses what shapeProblems refuses, with a JSON pointer, before the schema', () => {
    expect(anything.check(JSON.parse('{"a":"\\ud800"}'))).toBe(false);
    expect(anything.problems(JSON.parse('{"a":{"b/c":["\\ud800"]}}'))).toEqual([
      '/a/b~1c/0: is not well-formed Unicode (it holds an unpaired UTF-16 surrogate, e.g. \\ud800); send valid text',
    ]);
    expect(anything.problems(JSON.parse(nestedLists(100_000)))).toEqual([
      `/0/0/0/0/0/0/0/0/… (${MAX_NESTING} levels): is nested more than ${MAX_NESTING} levels deep; flatten it`,
    ]);
  });
});

describe('a provisioning request', () => {
  const request = (parameters: string) =>
    JSON.parse(`{"provisioningTemplateId":"t","parameters":${parameters}}`) as unknown;

  it.each([
    ['__proto__', '{"ThingName":"a","__proto__":"x"}', '/parameters/__proto__: is a name every JavaScript'],
    ['constructor', '{"constructor":"x"}', '/parameters/constructor: is a name every JavaScript'],
    [
      'an unpaired surrogate',
      '{"ThingName":"a\\ud800"}',
      '/parameters/ThingName: is not well-formed Unicode',
    ],
  ])('refuses a parameter named or holding %s', (_, parameters, problem) => {
    const [first] = provision.problems(request(parameters));
    expect(first).toContain(problem);
  });

  it('holds parameter names to their pattern, and checks the value of every name', () => {
    // The pattern was not enforced: a name outside it passed, with a value of any type.
    expect(provision.problems(request('{"a b":3}'))).toEqual([
      '/parameters: "a b" cannot be used as a name here; names must match ^[A-Za-z0-9:_.-]{1,128}$',
    ]);
    expect(provision.problems(request('{"AWS::IoT::Certificate::Id":"x","Serial_No.1-a":"y"}'))).toEqual([]);
  });
});

describe('a bulk line', () => {
  it.each([
    ['named __proto__', '{"ThingName":"a","__proto__":"x"}', '/__proto__: is a name every JavaScript object'],
    ['named toString', '{"toString":"x"}', '/toString: is a name every JavaScript object'],
    ['with an unpaired surrogate', '{"ThingName":"\\ud800"}', '/ThingName: is not well-formed Unicode'],
    ['nested 100,000 deep', `{"ThingName":${nestedLists(100_000)}}`, 'is nested more than 64 levels deep'],
    ['named outside the pattern', '{"a b":{"c":1}}', '"a b" cannot be used as a name here'],
  ])('a parameter %s fails its device, saying why', (_, text, reason) => {
    const parsed = line(text);
    expect('error' in parsed && parsed.error).toContain(reason);
  });

  it('a good line still gives its parameters', () => {
    expect(line('{"ThingName":"pump-1","Serial":"\\ud83d\\ude00"}')).toEqual({
      parameters: { ThingName: 'pump-1', Serial: '😀' },
    });
  });
});
