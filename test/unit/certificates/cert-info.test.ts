import { describe, expect, it } from '@jest/globals';
import { CertInfo, validateCertInfo } from '../../../src/certificates/index.js';
import { ProvisionRequest } from '../../../src/tasks/request.js';
import { validator } from '../../../src/validation.js';
import { thrown } from './fixtures.js';

/** The request schema, as POST /things and queue messages are checked. */
const request = validator(ProvisionRequest);
const requestProblems = (certInfo: Record<string, unknown>) =>
  request.problems({ provisioningTemplateId: 't', parameters: {}, cdfProvisioningParameters: { certInfo } });

describe('certInfo has one definition', () => {
  it('is the schema the request uses', () => {
    const { certInfo } = ProvisionRequest.properties.cdfProvisioningParameters.properties;
    expect(JSON.parse(JSON.stringify(certInfo))).toEqual(JSON.parse(JSON.stringify(CertInfo)));
  });

  // RFC 5280 Appendix A; ub-emailaddress-length is 255 since RFC 5280 (RFC 3280 had 128).
  it.each([
    ['commonName', 64],
    ['organization', 64],
    ['organizationalUnit', 64],
    ['locality', 128],
    ['stateName', 128],
    ['emailAddress', 255],
  ])(
    '%s: %i characters pass the request schema and the certificate layer, one more passes neither',
    (field, max) => {
      const value = (length: number) =>
        field === 'emailAddress' ? `a@${'b'.repeat(length - 2)}` : 'é'.repeat(length);
      expect(requestProblems({ country: 'US', [field]: value(max) })).toEqual([]);
      expect(validateCertInfo({ country: 'US', [field]: value(max) })).toMatchObject({ [field]: value(max) });

      expect(requestProblems({ country: 'US', [field]: value(max + 1) })).toEqual([
        `/cdfProvisioningParameters/certInfo/${field}: must not have more than ${max} characters`,
      ]);
      const error = thrown(() => validateCertInfo({ country: 'US', [field]: value(max + 1) }));
      expect(error.code).toBe('CERT_INFO_INVALID');
      expect(error.message).toContain(`certInfo.${field} must be at most ${max} characters`);
    },
  );

  it('counts characters, not UTF-16 units, in both places', () => {
    const emoji = '🔥'.repeat(64);
    expect(requestProblems({ country: 'US', commonName: emoji })).toEqual([]);
    expect(validateCertInfo({ country: 'US', commonName: emoji }).commonName).toBe(emoji);
  });

  it('takes a country of exactly two letters', () => {
    expect(requestProblems({ country: 'us' })).toEqual([]);
    expect(requestProblems({ country: 'USA' })).toHaveLength(1);
    expect(thrown(() => validateCertInfo({ country: 'USA' })).code).toBe('CERT_INFO_INVALID');
  });
});

describe('subject text', () => {
  it.each([
    ['commonName', 'U+202E', 'invoice\u202Efdp.exe'],
    ['commonName', 'U+0085', 'next\u0085line'],
    ['organization', 'U+200E', 'Acme\u200E'],
    ['organizationalUnit', 'U+2069', 'a\u2069'],
    ['locality', 'U+061C', 'a\u061Cb'],
    ['stateName', 'U+007F', 'del\u007F'],
    ['emailAddress', 'U+0001', 'a\u0001@b.example'],
  ])('refuses %s holding %s, naming the field', (field, codePoint, value) => {
    const error = thrown(() => validateCertInfo({ country: 'US', [field]: value }));
    expect(error.code).toBe('CERT_INFO_INVALID');
    expect(error.message).toBe(
      `certInfo.${field} must not contain control or bidirectional-formatting characters (found ${codePoint}).`,
    );
  });

  it('refuses an unpaired surrogate, which UTF-8 cannot encode', () => {
    const error = thrown(() => validateCertInfo({ country: 'US', commonName: 'x\ud800' }));
    expect(error.message).toContain('certInfo.commonName must be well-formed Unicode');
  });

  it('takes letters of any script, and symbols', () => {
    const info = { country: 'JP', commonName: 'ポンプ 7 🚰', organization: 'عربي', locality: 'Köln' };
    expect(validateCertInfo(info)).toEqual(info);
  });
});
