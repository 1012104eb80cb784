import { describe, expect, it } from '@jest/globals';
import { ExpressionBuilder } from '../../../src/tasks/update-expression.js';

/**
 * Replaces every placeholder in `expression` with what it stands for, so a test can say which
 * attribute paths and values an update really touches, whatever the placeholders are called.
 */
function resolve(builder: ExpressionBuilder, expression: string): string {
  return expression
    .replace(/#[A-Za-z0-9_]+/g, (p) => {
      const name = builder.names[p];
      if (name === undefined) throw new Error(`unknown name placeholder ${p}`);
      return `<${name}>`;
    })
    .replace(/:[A-Za-z0-9_]+/g, (p) => {
      if (!(p in builder.values)) throw new Error(`unknown value placeholder ${p}`);
      return JSON.stringify(builder.values[p]);
    });
}

describe('ExpressionBuilder', () => {
  it('builds a SET clause with a name and a value placeholder per entry', () => {
    const b = new ExpressionBuilder();
    const expression = b.update({ set: { status: 'RUNNING', attempts: 2 } });
    expect(expression).toBe('SET #status = :v0, #attempts = :v1');
    expect(b.names).toEqual({ '#status': 'status', '#attempts': 'attempts' });
    expect(b.values).toEqual({ ':v0': 'RUNNING', ':v1': 2 });
  });

  it('builds ADD and REMOVE clauses, in SET, ADD, REMOVE order', () => {
    const b = new ExpressionBuilder();
    const expression = b.update({
      remove: ['leaseOwner', 'leaseUntil'],
      add: { attempts: 1 },
      set: { updatedAt: '2024-01-01T00:00:00.000Z' },
    });
    expect(expression).toBe('SET #updatedAt = :v0 ADD #attempts :v1 REMOVE #leaseOwner, #leaseUntil');
    expect(resolve(b, expression)).toBe(
      'SET <updatedAt> = "2024-01-01T00:00:00.000Z" ADD <attempts> 1 REMOVE <leaseOwner>, <leaseUntil>',
    );
  });

  it('leaves out clauses with nothing in them', () => {
    const b = new ExpressionBuilder();
    expect(b.update({ set: {}, add: {}, remove: [] })).toBe('');
    expect(b.update({ remove: ['leaseOwner'] })).toBe('REMOVE #leaseOwner');
    expect(b.values).toEqual({});
  });

  it('splits dotted paths into one placeholder per segment', () => {
    const b = new ExpressionBuilder();
    const thing = { thingName: 'pump-7', created: true };
    const expression = b.update({ set: { 'checkpoint.thing': thing, 'checkpoint.policies.Policy1': 'p' } });
    expect(expression).toBe('SET #checkpoint.#thing = :v0, #checkpoint.#policies.#Policy1 = :v1');
    expect(b.names).toEqual({
      '#checkpoint': 'checkpoint',
      '#thing': 'thing',
      '#policies': 'policies',
      '#Policy1': 'Policy1',
    });
    expect(b.values[':v0']).toBe(thing);
  });

  it('puts reserved words such as status, name and ttl behind placeholders', () => {
    const b = new ExpressionBuilder();
    const expression = b.update({ set: { status: 'FAILED', name: 'x', ttl: 5 }, remove: ['size'] });
    // No bare attribute name may appear: every word of the expression is a keyword or placeholder.
    const words = expression.split(/[\s,=]+/).filter((w) => w !== '');
    expect(words.filter((w) => !/^(SET|REMOVE|[#:]\w+)$/.test(w))).toEqual([]);
    expect(resolve(b, expression)).toBe('SET <status> = "FAILED", <name> = "x", <ttl> = 5 REMOVE <size>');
  });

  it('makes a valid placeholder for segments with characters DynamoDB does not allow in one', () => {
    const b = new ExpressionBuilder();
    const expression = b.update({ set: { 'checkpoint.policies.my-policy@v1': 'p', 'x y': 1 } });
    for (const placeholder of Object.keys(b.names)) expect(placeholder).toMatch(/^#[A-Za-z0-9_]+$/);
    expect(resolve(b, expression)).toBe('SET <checkpoint>.<policies>.<my-policy@v1> = "p", <x y> = 1');
  });

  it('keeps distinct segments apart when their placeholders would look alike', () => {
    const b = new ExpressionBuilder();
    const expression = b.update({ set: { 'a-b': 1, a_b: 2, 'a b': 3 }, remove: ['a.b'] });
    expect(resolve(b, expression)).toBe('SET <a-b> = 1, <a_b> = 2, <a b> = 3 REMOVE <a>.<b>');
    expect(new Set(Object.values(b.names))).toEqual(new Set(['a-b', 'a_b', 'a b', 'a', 'b']));
  });

  it('reuses one placeholder for a segment that appears more than once', () => {
    const b = new ExpressionBuilder();
    const expression = b.update({ set: { 'checkpoint.thing': 1, 'checkpoint.certificate': 2 } });
    expect(expression).toBe('SET #checkpoint.#thing = :v0, #checkpoint.#certificate = :v1');
    expect(Object.keys(b.names)).toHaveLength(3);
  });

  it('numbers values on from any made before, for use in a condition', () => {
    const b = new ExpressionBuilder();
    const owner = b.value('worker-1');
    const expression = b.update({ set: { leaseOwner: 'worker-2' } });
    expect(owner).toBe(':v0');
    expect(expression).toBe('SET #leaseOwner = :v1');
    expect(b.values).toEqual({ ':v0': 'worker-1', ':v1': 'worker-2' });
  });

  it('returns only the attribute maps that are not empty', () => {
    const empty = new ExpressionBuilder();
    empty.update({});
    expect(empty.attributes()).toEqual({});

    const removeOnly = new ExpressionBuilder();
    removeOnly.update({ remove: ['leaseOwner'] });
    expect(removeOnly.attributes()).toEqual({ ExpressionAttributeNames: { '#leaseOwner': 'leaseOwner' } });

    const full = new ExpressionBuilder();
    full.update({ set: { status: 'RUNNING' } });
    expect(full.attributes()).toEqual({
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':v0': 'RUNNING' },
    });
  });
});
