import { describe, expect, it } from '@jest/globals';
import { InvalidInputError, TransientError, describeError, isServiceError } from '../../src/errors.js';

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
});
