import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/config.js';
import { aliasVariable, resolveIotCa, resolvePcaArn } from '../../../src/provisioning/ca/aliases.js';
import { CaError } from '../../../src/provisioning/ca/errors.js';

const PCA =
  'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555';
const OTHER_PCA =
  'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/99999999-2222-3333-4444-555555555555';
const CA_ID = 'a'.repeat(64);
const IOT_CA = `arn:aws:iot:us-east-1:123456789012:cacert/${CA_ID}`;
const config = { pcaAliases: { MYALIAS: PCA, MY_ALIAS: OTHER_PCA }, iotCaAliases: { MYALIAS2: IOT_CA } };
const request = (arn?: string, alias?: string) => ({ arn, alias, where: 'cdfProvisioningParameters' });
const template = (arn?: string, alias?: string) => ({ arn, alias, where: "the template's CDF.acmpca block" });

function caError(fn: () => unknown): CaError {
  try {
    fn();
  } catch (e: unknown) {
    if (e instanceof CaError) return e;
    throw e;
  }
  throw new Error('expected a CaError');
}

describe('resolvePcaArn', () => {
  it('takes an ARN, or an alias through PCA_<ALIAS>, the request before the template', () => {
    expect(resolvePcaArn([request(PCA), template(OTHER_PCA)], config)).toBe(PCA);
    expect(resolvePcaArn([request(undefined, 'myalias'), template(OTHER_PCA)], config)).toBe(PCA);
    expect(resolvePcaArn([request(), template(undefined, 'MyAlias')], config)).toBe(PCA);
    expect(resolvePcaArn([request(undefined, 'my-alias')], config)).toBe(OTHER_PCA);
  });

  it.each<[string, () => unknown, string, RegExp]>([
    [
      'an unknown alias, naming the variable to set',
      () => resolvePcaArn([request(undefined, 'nope')], config),
      'CA_ALIAS_UNKNOWN',
      /PCA_NOPE/,
    ],
    ['nothing named', () => resolvePcaArn([request(), template()], config), 'CA_REQUIRED', /acmpcaCaArn/],
    [
      'both an ARN and an alias',
      () => resolvePcaArn([request(PCA, 'myalias')], config),
      'CA_ARN_INVALID',
      /both/,
    ],
    [
      'an IoT ARN given as the PCA',
      () => resolvePcaArn([request(IOT_CA)], config),
      'CA_ARN_INVALID',
      /not an ACM PCA/,
    ],
  ])('refuses %s', (_, fn, code, message) => {
    const error = caError(fn);
    expect(error.code).toBe(code);
    expect(error.kind).toBe('invalid');
    expect(error.message).toMatch(message);
  });
});

describe('resolveIotCa', () => {
  it('gives the ARN and the certificate id, by ARN or through CA_<ALIAS>', () => {
    expect(resolveIotCa([request(IOT_CA)], config)).toEqual({ arn: IOT_CA, caId: CA_ID });
    expect(resolveIotCa([request(), template(undefined, 'myalias2')], config)).toEqual({
      arn: IOT_CA,
      caId: CA_ID,
    });
  });

  it('refuses an ARN that is not an AWS IoT CA certificate ARN', () => {
    const error = caError(() =>
      resolveIotCa([request(`arn:aws:iot:us-east-1:123456789012:cert/${CA_ID}`)], config),
    );
    expect(error.code).toBe('CA_ARN_INVALID');
    expect(error.message).toContain('cacert/');
  });

  it('spells alias variables as CDF did', () => {
    expect(aliasVariable('PCA', 'myalias1')).toBe('PCA_MYALIAS1');
    expect(aliasVariable('CA', 'line-3.a')).toBe('CA_LINE_3_A');
  });
});

describe('loadConfig: PCA_<ALIAS> and CA_<ALIAS>', () => {
  const BASE = { RESULTS_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };

  it('reads the aliases, upper-cased, beside the certificate settings and their defaults', () => {
    const config = loadConfig({
      ...BASE,
      PCA_myalias: PCA,
      CA_MYALIAS2: IOT_CA,
      CA_BUNDLE: '/etc/ssl/certs/ca.pem',
    });
    expect(config.certificates).toEqual({
      caKeyParameterPattern: 'cdf-ca-key-{caId}',
      deviceCertificateDays: 365,
      caCacheSeconds: 300,
      pcaWaitSeconds: 10,
      pcaAliases: { MYALIAS: PCA },
      iotCaAliases: { MYALIAS2: IOT_CA },
    });
  });

  it('does not take its own settings for aliases', () => {
    const config = loadConfig({
      ...BASE,
      CA_CACHE_SECONDS: '5',
      CA_KEY_PARAMETER_PATTERN: '/ca/{caId}/key',
      PCA_WAIT_SECONDS: '3',
    });
    expect(config.certificates).toMatchObject({
      caCacheSeconds: 5,
      caKeyParameterPattern: '/ca/{caId}/key',
      pcaWaitSeconds: 3,
      pcaAliases: {},
      iotCaAliases: {},
    });
  });

  it.each([
    ['PCA_FACTORY', 'not-an-arn'],
    ['CA_FACTORY', 'arn:aws:iot:us-east-1:123456789012:cert/abc'],
    ['CA_KEY_PARAMETER_PATTERN', 'cdf-ca-key'],
    ['DEVICE_CERTIFICATE_DAYS', '0'],
  ])('names %s when it is %j', (name, value) => {
    expect(() => loadConfig({ ...BASE, [name]: value })).toThrow(new RegExp(`\\n {2}${name}: `));
  });
});
