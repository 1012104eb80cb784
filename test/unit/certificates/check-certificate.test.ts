import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  checkCertificatePem,
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
  privateKeyMatchesCertificate,
  verifyIssuedBy,
} from '../../../src/certificates/index.js';
import { openssl, outdated, selfSigned, tampered, thrown } from './fixtures.js';

const DAY_MS = 86_400_000;
const ca = selfSigned({ key: 'ec:P-256' });
const signer = loadCaSigner(ca.certificatePem, ca.privateKeyPem);
const device = await generateDeviceKeyPair('RSA-2048');
const issue = (days = 30, now = new Date()) =>
  issueDeviceCertificate(signer, {
    publicKey: device.publicKeyPem,
    subject: { country: 'US', commonName: 'd' },
    days,
    now,
  });
const certificatePem = issue();

describe('checkCertificatePem', () => {
  it('describes a good certificate, with the id AWS IoT will give it', () => {
    const checked = checkCertificatePem(certificatePem);
    const { stdout } = openssl(['x509', '-in', 'c.pem', '-noout', '-fingerprint', '-sha256'], {
      'c.pem': certificatePem,
    });
    const fingerprint = stdout.trim().split('=')[1] ?? '';
    expect(checked.fingerprint256).toBe(fingerprint);
    expect(checked.certificateId).toBe(fingerprint.replace(/:/g, '').toLowerCase());
    expect(checked.key.name).toBe('RSA-2048');
    expect(checked.signatureAlgorithm.name).toBe('ecdsa-with-SHA256');
    expect(checked.notAfter.getTime() - checked.notBefore.getTime()).toBe(30 * DAY_MS);
  });

  it.each([
    ['garbage', 'garbage'],
    ['an empty string', ''],
    ['a private key', device.privateKeyPem],
    ['a certificate with a broken body', certificatePem.replace(/\n[A-Za-z0-9+/]{64}\n/, '\n!!\n')],
  ])('refuses %s with CERTIFICATE_PEM_INVALID', (_, pem) => {
    expect(thrown(() => checkCertificatePem(pem)).code).toBe('CERTIFICATE_PEM_INVALID');
  });

  it('refuses an expired certificate and one not valid yet', () => {
    const expired = outdated('20200101000000Z', '20200201000000Z').certificatePem;
    const error = thrown(() => checkCertificatePem(expired));
    expect(error.code).toBe('CERTIFICATE_EXPIRED');
    expect(error.message).toBe('The certificate expired at 2020-02-01T00:00:00.000Z; send a current one.');
    expect(thrown(() => checkCertificatePem(certificatePem, new Date(Date.now() + 31 * DAY_MS))).code).toBe(
      'CERTIFICATE_EXPIRED',
    );
    expect(thrown(() => checkCertificatePem(certificatePem, new Date(Date.now() - DAY_MS))).code).toBe(
      'CERTIFICATE_NOT_YET_VALID',
    );
  });

  it.each([
    ['SHA-1 signed', selfSigned({ digest: 'sha1' }), 'sha1WithRSAEncryption'],
    ['MD5 signed', selfSigned({ digest: 'md5' }), 'md5WithRSAEncryption'],
    ['ECDSA-SHA1 signed', selfSigned({ key: 'ec:P-256', digest: 'sha1' }), 'ecdsa-with-SHA1'],
    ['an RSA-1024', selfSigned({ key: 'rsa:1024' }), 'RSA-1024'],
    ['a secp256k1', selfSigned({ key: 'ec:secp256k1' }), 'secp256k1'],
  ])(
    'refuses a %s certificate with CERTIFICATE_ALGORITHM_UNSUPPORTED',
    (_, { certificatePem: pem }, name) => {
      const error = thrown(() => checkCertificatePem(pem));
      expect(error.code).toBe('CERTIFICATE_ALGORITHM_UNSUPPORTED');
      expect(error.message).toContain(name);
    },
  );
});

describe('verifyIssuedBy', () => {
  it('accepts the CA that signed the certificate', () => {
    expect(() => {
      verifyIssuedBy(certificatePem, ca.certificatePem);
    }).not.toThrow();
  });

  it.each([
    [
      'another CA',
      () => selfSigned({ key: 'ec:P-256', subject: '/CN=Other CA' }).certificatePem,
      'issuer does not match',
    ],
    [
      'a CA with the same name but another key',
      () => selfSigned({ key: 'ec:P-256' }).certificatePem,
      'issuer does not match',
    ],
  ])('refuses %s with CERTIFICATE_CHAIN_INVALID', (_, otherCa, message) => {
    const error = thrown(() => {
      verifyIssuedBy(certificatePem, otherCa());
    });
    expect(error.code).toBe('CERTIFICATE_CHAIN_INVALID');
    expect(error.message).toContain(message);
  });

  it('refuses a certificate whose signature was altered', () => {
    const error = thrown(() => {
      verifyIssuedBy(tampered(certificatePem, 'CN'.length + 200), ca.certificatePem);
    });
    expect(error.code).toBe('CERTIFICATE_CHAIN_INVALID');
    expect(error.message).toContain('signature does not verify');
  });
});

describe('privateKeyMatchesCertificate', () => {
  it('tells whether a private key belongs to a certificate', async () => {
    expect(privateKeyMatchesCertificate(device.privateKeyPem, certificatePem)).toBe(true);
    expect(
      privateKeyMatchesCertificate((await generateDeviceKeyPair('RSA-2048')).privateKeyPem, certificatePem),
    ).toBe(false);
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(privateKeyMatchesCertificate(ec.toString(), certificatePem)).toBe(false);
    expect(thrown(() => privateKeyMatchesCertificate('nope', certificatePem)).code).toBe(
      'PRIVATE_KEY_INVALID',
    );
  });
});
