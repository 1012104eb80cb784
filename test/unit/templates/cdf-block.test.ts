import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../../src/errors.js';
import { parseCdfBlock, selectCertificateMode, type CdfBlock } from '../../../src/templates/cdf-block.js';

function refusal(raw: unknown): InvalidInputError {
  try {
    parseCdfBlock(raw);
  } catch (e: unknown) {
    if (e instanceof InvalidInputError) return e;
    throw e;
  }
  throw new Error('parseCdfBlock accepted the block');
}

describe('parseCdfBlock', () => {
  it('treats a template without a CDF block as an empty one', () => {
    expect(parseCdfBlock(undefined)).toEqual({});
    expect(parseCdfBlock({})).toEqual({});
  });

  // The blocks of CDF's provisioning-templates documentation, as written there.
  it.each<[string, unknown]>([
    ['createDeviceCertificate', { createDeviceCertificate: true }],
    ['createDeviceAWSCertificate', { createDeviceAWSCertificate: true }],
    ['registerDeviceCertificateWithoutCA', { registerDeviceCertificateWithoutCA: true }],
    ['acmpca REGISTER_WITH_CA', { acmpca: { mode: 'REGISTER_WITH_CA' } }],
    ['acmpca REGISTER_WITHOUT_CA', { acmpca: { mode: 'REGISTER_WITHOUT_CA' } }],
    [
      'acmpca with CA names',
      {
        acmpca: {
          mode: 'REGISTER_WITH_CA',
          acmpcaCaArn: 'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/abc',
          awsiotCaAlias: 'factory',
        },
      },
    ],
    [
      'attachAdditionalPolicies as an array',
      { createDeviceCertificate: true, attachAdditionalPolicies: [{ name: 'attachAdditionalPolicies' }] },
    ],
    [
      'attachAdditionalPolicies as {policies}',
      {
        attachAdditionalPolicies: {
          policies: [
            { name: 'existing-policy' },
            { name: 'new-policy', document: '{"Version":"2012-10-17","Statement":[]}' },
          ],
        },
      },
    ],
    [
      'a policy document given as an object',
      { attachAdditionalPolicies: [{ name: 'p', document: { Version: '2012-10-17' } }] },
    ],
    ['clientIdMustMatchThingName', { clientIdMustMatchThingName: true }],
    ['keyAlgorithm', { createDeviceAWSCertificate: true, keyAlgorithm: 'EC-P256' }],
    ['explicit false flags', { createDeviceCertificate: false, registerDeviceCertificateWithoutCA: false }],
  ])('accepts %s', (_, block) => {
    expect(parseCdfBlock(block)).toEqual(block);
  });

  it.each<[string, unknown, RegExp]>([
    ['a misspelt mode', { createDeviceCertificat: true }, /unknown field\(s\) createDeviceCertificat/],
    ["CDF's old useACMPCA flag", { useACMPCA: true }, /unknown field\(s\) useACMPCA/],
    [
      'an unknown acmpca key',
      { acmpca: { mode: 'REGISTER_WITH_CA', caArn: 'x' } },
      /\/acmpca: unknown field\(s\) caArn/,
    ],
    ['an unknown acmpca mode', { acmpca: { mode: 'SELF_SIGNED' } }, /\/acmpca\/mode/],
    ['acmpca without a mode', { acmpca: {} }, /\/acmpca: must have required properties mode/],
    [
      'a flag that is not a boolean',
      { createDeviceCertificate: 'true' },
      /\/createDeviceCertificate: must be boolean/,
    ],
    ['an unknown key algorithm', { keyAlgorithm: 'RSA-1024' }, /\/keyAlgorithm/],
    [
      'a policy without a name',
      { attachAdditionalPolicies: [{ document: '{}' }] },
      /attachAdditionalPolicies/,
    ],
    ['a policy with an unknown key', { attachAdditionalPolicies: [{ name: 'p', arn: 'x' }] }, /arn/],
    [
      'a policy name AWS would refuse',
      { attachAdditionalPolicies: [{ name: 'bad name!' }] },
      /attachAdditionalPolicies/,
    ],
    ['an extra key beside policies', { attachAdditionalPolicies: { policies: [], extra: 1 } }, /extra/],
    ['a block that is not an object', ['createDeviceCertificate'], /\(body\): must be object/],
  ])('refuses %s with TEMPLATE_CDF_INVALID', (_, block, message) => {
    const error = refusal(block);
    expect(error.code).toBe('TEMPLATE_CDF_INVALID');
    expect(error.kind).toBe('invalid');
    expect(error.message).toMatch(/^The template's CDF block is invalid: /);
    expect(error.message).toMatch(message);
  });

  it('names every unknown key in one message', () => {
    const error = refusal({ createDeviceCertificate: true, foo: 1, bar: 2 });
    expect(error.message).toContain('unknown field(s) foo, bar');
  });
});

describe('selectCertificateMode', () => {
  const all: CdfBlock = {
    createDeviceCertificate: true,
    createDeviceAWSCertificate: true,
    registerDeviceCertificateWithoutCA: true,
    acmpca: { mode: 'REGISTER_WITHOUT_CA' },
  };

  it("honours CDF's order when several modes are set", () => {
    expect(selectCertificateMode(all)).toBe('createDeviceCertificate');
    expect(selectCertificateMode({ ...all, createDeviceCertificate: false })).toBe(
      'createDeviceAWSCertificate',
    );
    expect(
      selectCertificateMode({ ...all, createDeviceCertificate: false, createDeviceAWSCertificate: false }),
    ).toBe('registerDeviceCertificateWithoutCA');
    expect(
      selectCertificateMode({
        acmpca: { mode: 'REGISTER_WITH_CA' },
        createDeviceCertificate: false,
        createDeviceAWSCertificate: false,
        registerDeviceCertificateWithoutCA: false,
      }),
    ).toBe('acmpca');
  });

  it.each([
    [{ createDeviceCertificate: true }, 'createDeviceCertificate'],
    [{ createDeviceAWSCertificate: true }, 'createDeviceAWSCertificate'],
    [{ registerDeviceCertificateWithoutCA: true }, 'registerDeviceCertificateWithoutCA'],
    [{ acmpca: { mode: 'REGISTER_WITH_CA' } }, 'acmpca'],
    [
      { registerDeviceCertificateWithoutCA: true, acmpca: { mode: 'REGISTER_WITH_CA' } },
      'registerDeviceCertificateWithoutCA',
    ],
  ] satisfies [CdfBlock, string][])('picks the mode of %j', (block, mode) => {
    expect(selectCertificateMode(block)).toBe(mode);
  });

  it('picks no mode when none is switched on', () => {
    expect(selectCertificateMode({})).toBeUndefined();
    expect(
      selectCertificateMode({
        createDeviceCertificate: false,
        createDeviceAWSCertificate: false,
        registerDeviceCertificateWithoutCA: false,
        attachAdditionalPolicies: [{ name: 'p' }],
        clientIdMustMatchThingName: true,
      }),
    ).toBeUndefined();
  });
});
