import { describe, expect, it } from '@jest/globals';
import {
  InvalidInputError,
  TransientError,
  describeError,
  invalidInputWithCodes,
  isServiceError,
} from '../../src/errors.js';

describe('service errors', () => {
  it('carry a code, a kind and the cause', () => {
    const cause = new Error('socket hang up');
    const e = new TransientError('IOT_UNAVAILABLE', 'AWS IoT did not answer; retrying', { cause });
    expect(e.code).toBe('IOT_UNAVAILABLE');
    expect(e.kind).toBe('transient');
    expect(e.cause).toBe(cause);
    expect(e.name).toBe('TransientError');
    expect(isServiceError(e)).toBe(true);
    expect(isServiceError(cause)).toBe(false);
  });

  it('describe foreign throwables without leaking objects', () => {
    expect(describeError(new InvalidInputError('X', 'bad'))).toBe('InvalidInputError: bad');
    expect(describeError('plain')).toBe('plain');
  });

  it('an area error with its own codes keeps its name, kind and code type through instanceof', () => {
    class DoorError extends invalidInputWithCodes<'DOOR_OPEN' | 'DOOR_LOCKED'>() {}
    const thrown: unknown = new DoorError('DOOR_OPEN', 'close the door');
    if (!(thrown instanceof DoorError)) throw new Error('not a DoorError');
    // Compiles only while `code` stays the union: with `string` or `any` the type is `never`.
    const narrowed: string extends typeof thrown.code ? never : true = true;
    expect([narrowed, thrown.code, thrown.kind, thrown.name]).toEqual([
      true,
      'DOOR_OPEN',
      'invalid',
      'DoorError',
    ]);
    expect(thrown).toBeInstanceOf(InvalidInputError);
  });
});
