import { describe, expect, it } from '@jest/globals';
import Type from 'typebox';
import { validator } from '../../src/validation.js';

const Device = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    count: Type.Integer({ minimum: 0 }),
    tags: Type.Optional(Type.Array(Type.String())),
    location: Type.Optional(Type.Object({ site: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
const device = validator(Device);

describe('validator', () => {
  it('finds no problem with a valid value, and check agrees', () => {
    const value = { name: 'pump-7', count: 0, tags: ['a'], location: { site: 'hall-2' } };
    expect(device.problems(value)).toEqual([]);
    expect(device.check(value)).toBe(true);
    expect(device.schema).toBe(Device);
  });

  it('says which required fields are missing', () => {
    expect(device.problems({})).toEqual(['(body): must have required properties name, count']);
    expect(device.problems({ name: 'x' })).toEqual(['(body): must have required properties count']);
    expect(device.check({ name: 'x' })).toBe(false);
  });

  it('lists unknown fields by name, once, without the "schema is false" noise', () => {
    const problems = device.problems({ name: 'x', count: 1, colour: 'red', size: 3 });
    expect(problems).toEqual(['(body): unknown field(s) colour, size']);
  });

  it('gives nested problems their JSON pointer', () => {
    expect(device.problems({ name: 'x', count: 1, location: { site: 3, floor: 2 } })).toEqual([
      '/location: unknown field(s) floor',
      '/location/site: must be string',
    ]);
    expect(device.problems({ name: '', count: -1, tags: ['ok', 5] })).toEqual([
      '/name: must not have fewer than 1 characters',
      '/count: must be >= 0',
      '/tags/1: must be string',
    ]);
  });

  it('reports a value of the wrong type at the top as (body)', () => {
    expect(device.problems('not an object')).toEqual(['(body): must be object']);
    expect(device.problems(null)).toEqual(['(body): must be object']);
  });

  it('stops at five problems', () => {
    const List = validator(Type.Array(Type.Integer()));
    const problems = List.problems(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(problems).toEqual([
      '/0: must be integer',
      '/1: must be integer',
      '/2: must be integer',
      '/3: must be integer',
      '/4: must be integer',
    ]);
  });

  it('counts unknown-field lines towards the five', () => {
    const Wide = validator(
      Type.Object(
        { a: Type.String(), b: Type.String(), c: Type.String(), d: Type.String(), e: Type.String() },
        { additionalProperties: false },
      ),
    );
    const problems = Wide.problems({ a: 1, b: 1, c: 1, d: 1, e: 1, extra: 1 });
    expect(problems).toHaveLength(5);
    expect(
      problems.every((p) => /^(\/[a-e]: must be string|\(body\): unknown field\(s\) extra)$/.test(p)),
    ).toBe(true);
  });
});
