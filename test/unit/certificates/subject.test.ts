import { describe, expect, it } from '@jest/globals';
import {
  createCsr,
  generateDeviceKeyPair,
  validateCertInfo,
  type CertInfo,
} from '../../../src/certificates/index.js';
import { openssl, thrown } from './fixtures.js';

const FULL: CertInfo = {
  commonName: 'thermostat-0042',
  organization: 'Acme Heating',
  organizationalUnit: 'Devices',
  locality: 'Köln',
  stateName: 'Nordrhein-Westfalen',
  country: 'de',
  emailAddress: 'ops@acme.example',
  daysExpiry: 365,
};

describe('validateCertInfo', () => {
  it('accepts a full certInfo and upper-cases the country', () => {
    expect(validateCertInfo(FULL)).toEqual({ ...FULL, country: 'DE' });
    expect(validateCertInfo({ country: 'US' })).toEqual({ country: 'US' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no country', { commonName: 'x' }, 'certInfo.country is required'],
    ['a three-letter country', { country: 'DEU' }, 'certInfo.country'],
    ['a country with a digit', { country: 'D1' }, 'certInfo.country'],
    [
      'an empty commonName',
      { country: 'DE', commonName: '' },
      'certInfo.commonName must be a non-empty string',
    ],
    [
      'a blank organization',
      { country: 'DE', organization: '   ' },
      'certInfo.organization must be a non-empty',
    ],
    ['a numeric locality', { country: 'DE', locality: 42 }, 'certInfo.locality must be a non-empty string'],
    ['a 65-character commonName', { country: 'DE', commonName: 'x'.repeat(65) }, 'at most 64 characters'],
    [
      'a newline in the OU',
      { country: 'DE', organizationalUnit: 'a\nb' },
      'must not contain control or bidirectional-formatting characters (found U+000A)',
    ],
    ['an e-mail without @', { country: 'DE', emailAddress: 'ops.example.com' }, 'certInfo.emailAddress'],
    ['a non-ASCII e-mail', { country: 'DE', emailAddress: 'jürgen@example.com' }, 'plain ASCII'],
    ['daysExpiry 0', { country: 'DE', daysExpiry: 0 }, 'certInfo.daysExpiry must be a whole number'],
    ['fractional daysExpiry', { country: 'DE', daysExpiry: 1.5 }, 'certInfo.daysExpiry'],
    ['daysExpiry past the maximum', { country: 'DE', daysExpiry: 36_501 }, 'from 1 to 36500'],
    ['daysExpiry as a string', { country: 'DE', daysExpiry: '365' }, 'certInfo.daysExpiry'],
  ])('refuses %s with CERT_INFO_INVALID', (_, info, message) => {
    const error = thrown(() => validateCertInfo(info as unknown as CertInfo));
    expect(error.code).toBe('CERT_INFO_INVALID');
    expect(error.message).toContain(message);
  });

  it('refuses a certInfo that is not an object', () => {
    expect(thrown(() => validateCertInfo(null as unknown as CertInfo)).code).toBe('CERT_INFO_INVALID');
  });
});

describe('subject encoding', () => {
  it('writes one attribute per RDN with the RFC 5280 string types, in OpenSSL order', async () => {
    const { privateKeyPem } = await generateDeviceKeyPair('EC-P256');
    const csrPem = createCsr(privateKeyPem, FULL);
    const { stdout: subject } = openssl(
      ['req', '-in', 'csr.pem', '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb'],
      {
        'csr.pem': csrPem,
      },
    );
    expect(subject.trim()).toBe(
      'subject=emailAddress=ops@acme.example,CN=thermostat-0042,OU=Devices,O=Acme Heating,L=Köln,ST=Nordrhein-Westfalen,C=DE',
    );
    const { stdout: asn1 } = openssl(['asn1parse', '-in', 'csr.pem'], { 'csr.pem': csrPem });
    const types = [...asn1.matchAll(/prim: (\w+)\s+:(.*)/g)].map(([, type, value]) => `${type} ${value}`);
    expect(types).toEqual(
      expect.arrayContaining([
        'OBJECT countryName',
        'PRINTABLESTRING DE',
        'UTF8STRING Nordrhein-Westfalen',
        'UTF8STRING thermostat-0042',
        'IA5STRING ops@acme.example',
      ]),
    );
    expect((asn1.match(/cons: SET/g) ?? []).length).toBe(7);
  });
});
