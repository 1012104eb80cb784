import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import {
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
} from '../../../src/certificates/index.js';
import { createSelfSignedCa } from '../../../src/provisioning/ca/self-signed-ca.js';
import { opensslText, opensslVerify } from '../certificates/fixtures.js';

describe('createSelfSignedCa', () => {
  it.each(['RSA-2048', 'EC-P256'] as const)(
    'makes a %s root CA that openssl accepts and that signs device certificates',
    async (algorithm) => {
      const key = await generateDeviceKeyPair(algorithm);
      const pem = createSelfSignedCa(
        key.privateKeyPem,
        { country: 'US', commonName: 'Sample CA' },
        { days: 10 },
      );
      expect(opensslVerify(pem, pem)).toContain('OK');
      const text = opensslText(pem);
      expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
      expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
      expect(text).toContain('Subject Key Identifier');
      const certificate = new X509Certificate(pem);
      const days = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / 86_400_000;
      expect(days).toBe(10);

      const device = await generateDeviceKeyPair('EC-P256');
      const signer = loadCaSigner(pem, key.privateKeyPem);
      const issued = issueDeviceCertificate(signer, {
        publicKey: device.publicKeyPem,
        subject: { country: 'US', commonName: 'device' },
        days: 5,
      });
      expect(opensslVerify(pem, issued)).toContain('OK');
    },
  );
});
