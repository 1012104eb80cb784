import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { settableStatus } from '../../../src/things/certificate-status.js';
import { certificateIdOf, checkThingName } from '../../../src/things/thing-name.js';

const BASE = { RESULTS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };

describe('thing names', () => {
  it.each(['pump-1', 'a', 'A:b_c-9', 'x'.repeat(128)])('accepts %s', (name) => {
    expect(checkThingName(name)).toBe(name);
  });

  it.each(['', 'with space', 'slash/ed', 'ümlaut', 'x'.repeat(129), 'dot.ted'])(
    'refuses %p with 400',
    (name) => {
      expect(() => checkThingName(name)).toThrow(
        expect.objectContaining({ code: 'THING_NAME_INVALID', kind: 'invalid' }),
      );
    },
  );
});

describe('certificateIdOf', () => {
  const id = 'ab'.repeat(32);
  it('reads the id of a certificate principal', () => {
    expect(certificateIdOf(`arn:aws:iot:eu-west-1:123456789012:cert/${id}`)).toBe(id);
    expect(certificateIdOf(`arn:aws-cn:iot:cn-north-1:123456789012:cert/${id}`)).toBe(id);
  });
  it('is undefined for other principals', () => {
    expect(certificateIdOf('us-east-1:0b6fba06-b3c0-4c93-9e59-0c06d3f9b3e5')).toBeUndefined();
    expect(certificateIdOf('arn:aws:iam::123456789012:role/device')).toBeUndefined();
    expect(certificateIdOf('arn:aws:iot:us-east-1:123456789012:thinggroup/g')).toBeUndefined();
  });
});

describe('PATCH statuses', () => {
  it("reads CDF's IN_ACTIVE as INACTIVE and passes the others", () => {
    expect(settableStatus('IN_ACTIVE')).toBe('INACTIVE');
    expect(settableStatus('INACTIVE')).toBe('INACTIVE');
    expect(settableStatus('ACTIVE')).toBe('ACTIVE');
    expect(settableStatus('REVOKED')).toBe('REVOKED');
  });
});

describe('FEATURES_DELETE_CERTIFICATES / FEATURES_DELETE_POLICIES', () => {
  it('are off unless set, as in CDF', () => {
    expect(loadConfig(BASE).features).toEqual({ deleteCertificates: false, deletePolicies: false });
  });

  it('read true and false', () => {
    const on = loadConfig({
      ...BASE,
      FEATURES_DELETE_CERTIFICATES: 'true',
      FEATURES_DELETE_POLICIES: 'true',
    });
    expect(on.features).toEqual({ deleteCertificates: true, deletePolicies: true });
    const mixed = loadConfig({
      ...BASE,
      FEATURES_DELETE_CERTIFICATES: 'true',
      FEATURES_DELETE_POLICIES: 'false',
    });
    expect(mixed.features).toEqual({ deleteCertificates: true, deletePolicies: false });
  });

  it('refuse anything else, naming the variable', () => {
    expect(() => loadConfig({ ...BASE, FEATURES_DELETE_POLICIES: 'yes' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...BASE, FEATURES_DELETE_POLICIES: 'yes' })).toThrow(
      /FEATURES_DELETE_POLICIES/,
    );
  });
});
