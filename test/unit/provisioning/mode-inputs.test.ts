import { describe, expect, it } from '@jest/globals';
import { CertificateError } from '../../../src/certificates/index.js';
import { ModeInputError } from '../../../src/provisioning/certificate-modes/errors.js';
import {
  daysOf,
  eitherSpelling,
  keyAlgorithmOf,
  subjectOf,
} from '../../../src/provisioning/certificate-modes/mode-inputs.js';
import type { ParsedCsr } from '../../../src/certificates/index.js';

const request = (keyAlgorithm?: 'RSA-2048' | 'EC-P256') => ({
  provisioningTemplateId: 't',
  parameters: {},
  ...(keyAlgorithm === undefined ? {} : { cdfProvisioningParameters: { keyAlgorithm } }),
});
const csrWith = (subject: ParsedCsr['subject']) => ({ subject }) as ParsedCsr;

describe('the inputs of the certificate modes', () => {
  it('chooses the key algorithm: the request, then the template, then RSA-2048', () => {
    expect(keyAlgorithmOf(request('EC-P256'), { keyAlgorithm: 'RSA-2048' })).toBe('EC-P256');
    expect(keyAlgorithmOf(request(), { keyAlgorithm: 'EC-P256' })).toBe('EC-P256');
    expect(keyAlgorithmOf(request(), {})).toBe('RSA-2048');
  });

  it("takes certInfo for the subject, else the CSR's own, and says what is missing", () => {
    expect(subjectOf({ certInfo: { country: 'de', commonName: 'x' } }, csrWith({ country: 'US' }))).toEqual({
      country: 'DE',
      commonName: 'x',
    });
    expect(subjectOf({}, csrWith({ country: 'FR', commonName: 'y' }))).toEqual({
      country: 'FR',
      commonName: 'y',
    });
    expect(() => subjectOf({}, undefined)).toThrow(ModeInputError);
    expect(() => subjectOf({}, csrWith({ commonName: 'no country' }))).toThrow(CertificateError);
  });

  it("accepts either of CDF's spellings, and both when they agree", () => {
    expect(eitherSpelling({ amcpcaCaAlias: 'a' }, ['acmpcaCaAlias', 'amcpcaCaAlias'])).toBe('a');
    expect(
      eitherSpelling({ acmpcaCaAlias: 'a', amcpcaCaAlias: 'a' }, ['acmpcaCaAlias', 'amcpcaCaAlias']),
    ).toBe('a');
    expect(() =>
      eitherSpelling({ acmpcaCaAlias: 'a', amcpcaCaAlias: 'b' }, ['acmpcaCaAlias', 'amcpcaCaAlias']),
    ).toThrow(/different values/);
  });

  it('takes daysExpiry, else the configured default', () => {
    expect(daysOf({ certInfo: { country: 'US', daysExpiry: 7 } }, 365)).toBe(7);
    expect(daysOf({}, 365)).toBe(365);
  });
});
