import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  createCsr,
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
  parseCsr,
  privateKeyMatchesCertificate,
} from '../../../src/certificates/index.js';
import { makeCsr, openssl, opensslVerify, selfSigned, tampered, thrown } from './fixtures.js';

const rsaCa = selfSigned({ key: 'rsa:2048' });
const ecCa = selfSigned({ key: 'ec:P-256' });

describe('parseCsr', () => {
  it.each([
    ['rsa:2048', 'RSA-2048', 'sha256WithRSAEncryption'],
    ['ec:P-256', 'EC-P256', 'ecdsa-with-SHA256'],
    ['ec:P-384', 'EC-P384', 'ecdsa-with-SHA256'],
  ] as const)('reads an openssl %s CSR: key, subject, verified signature', (spec, keyName, signature) => {
    const { csrPem, privateKeyPem } = makeCsr(
      spec,
      '/C=US/O=Device Maker/OU=Line 3/CN=device-0001/emailAddress=a@b.example',
    );
    const csr = parseCsr(csrPem);
    expect(csr.key).toMatchObject({ name: keyName });
    expect(csr.signatureAlgorithm).toBe(signature);
    expect(csr.subject).toEqual({
      country: 'US',
      organization: 'Device Maker',
      organizationalUnit: 'Line 3',
      commonName: 'device-0001',
      emailAddress: 'a@b.example',
    });
    expect(csr.publicKeyPem).toBe(createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }));
  });

  it.each([
    ['RSA-2048', 'rsa:2048'],
    ['RSA-2048', 'ec:P-256'],
    ['EC P-256', 'rsa:2048'],
    ['EC P-256', 'ec:P-256'],
  ] as const)('a %s CA signs a %s CSR into a certificate for the CSR key', (caName, spec) => {
    const ca = caName === 'RSA-2048' ? rsaCa : ecCa;
    const { csrPem, privateKeyPem } = makeCsr(spec);
    const { publicKey } = parseCsr(csrPem);
    const now = new Date();
    const pem = issueDeviceCertificate(loadCaSigner(ca.certificatePem, ca.privateKeyPem), {
      publicKey,
      subject: { country: 'US', commonName: 'device-0001' },
      days: 7,
      now,
    });
    expect(opensslVerify(ca.certificatePem, pem)).toBe('cert.pem: OK\n');
    expect(privateKeyMatchesCertificate(privateKeyPem, pem)).toBe(true);
  });

  it('accepts the older NEW CERTIFICATE REQUEST label', () => {
    const { csrPem } = makeCsr('ec:P-256');
    expect(parseCsr(csrPem.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST')).key.name).toBe(
      'EC-P256',
    );
  });

  describe('refuses', () => {
    const { csrPem } = makeCsr('ec:P-256');

    it.each([
      ['garbage', 'hello'],
      ['a certificate', rsaCa.certificatePem],
      [
        'a CSR label around garbage',
        '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
      ],
      ['a truncated CSR', csrPem.slice(0, 200) + '\n-----END CERTIFICATE REQUEST-----\n'],
    ])('%s with CSR_INVALID', (_, pem) => {
      expect(thrown(() => parseCsr(pem)).code).toBe('CSR_INVALID');
    });

    it.each([
      ['its signature', -1],
      ['its subject', 'device-0001'],
    ])('a CSR with a tampered %s with CSR_SIGNATURE_INVALID', (_, at) => {
      expect(thrown(() => parseCsr(tampered(csrPem, at))).code).toBe('CSR_SIGNATURE_INVALID');
    });

    it.each([
      ['an RSA-1024 key', makeCsr('rsa:1024').csrPem, 'has an RSA-1024 key'],
      ['a secp256k1 key', makeCsr('ec:secp256k1').csrPem, 'on secp256k1'],
      ['a SHA-1 signature', makeCsr('rsa:2048', '/CN=x', 'sha1').csrPem, 'sha1WithRSAEncryption'],
    ])('%s with CERTIFICATE_ALGORITHM_UNSUPPORTED', (_, pem, message) => {
      const error = thrown(() => parseCsr(pem));
      expect(error.code).toBe('CERTIFICATE_ALGORITHM_UNSUPPORTED');
      expect(error.message).toContain(message);
    });
  });
});

describe('createCsr', () => {
  it.each(['RSA-2048', 'EC-P256'] as const)('makes a %s CSR that openssl verifies', async (algorithm) => {
    const { privateKeyPem, publicKeyPem } = await generateDeviceKeyPair(algorithm);
    const csrPem = createCsr(privateKeyPem, { country: 'us', organization: 'Acme', commonName: 'device-7' });
    const { stdout } = openssl(
      ['req', '-in', 'csr.pem', '-verify', '-noout', '-subject', '-nameopt', 'RFC2253'],
      {
        'csr.pem': csrPem,
      },
    );
    expect(stdout.trim()).toBe('subject=CN=device-7,O=Acme,C=US');
    const parsed = parseCsr(csrPem);
    expect(parsed.publicKeyPem).toBe(publicKeyPem);
    expect(parsed.subject).toEqual({ country: 'US', organization: 'Acme', commonName: 'device-7' });
  });

  it('refuses keys that are not PEM or that AWS IoT refuses', () => {
    expect(thrown(() => createCsr('nope', { country: 'US' })).code).toBe('PRIVATE_KEY_INVALID');
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(thrown(() => createCsr(weak.toString(), { country: 'US' })).code).toBe(
      'CERTIFICATE_ALGORITHM_UNSUPPORTED',
    );
  });

  it('refuses a bad subject', async () => {
    const { privateKeyPem } = await generateDeviceKeyPair('EC-P256');
    expect(thrown(() => createCsr(privateKeyPem, { country: '' })).code).toBe('CERT_INFO_INVALID');
  });
});
