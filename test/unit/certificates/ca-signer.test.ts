import { describe, expect, it } from '@jest/globals';
import { loadCaSigner } from '../../../src/certificates/index.js';
import { CA_EXTENSIONS, openssl, selfSigned, thrown } from './fixtures.js';

const rsaCa = selfSigned({ key: 'rsa:2048' });

describe('loadCaSigner', () => {
  it.each([
    ['rsa:2048', 'sha256WithRSAEncryption'],
    ['rsa:3072', 'sha256WithRSAEncryption'],
    ['ec:P-256', 'ecdsa-with-SHA256'],
    ['ec:P-384', 'ecdsa-with-SHA384'],
  ] as const)('loads a %s CA that signs with %s', (key, algorithm) => {
    const ca = key === 'rsa:2048' ? rsaCa : selfSigned({ key });
    const signer = loadCaSigner(ca.certificatePem, ca.privateKeyPem);
    expect(signer.algorithm.name).toBe(algorithm);
    expect(signer.certificate.ca).toBe(true);
  });

  it.each([
    ['CA:FALSE', ['basicConstraints=critical,CA:FALSE'], 'basicConstraints'],
    ['no basicConstraints', ['keyUsage=critical,keyCertSign'], 'basicConstraints'],
    [
      'keyUsage without keyCertSign',
      ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature'],
      'keyCertSign',
    ],
  ])('refuses a certificate with %s with CA_CERTIFICATE_INVALID', (_, extensions, message) => {
    const notCa = selfSigned({ key: 'ec:P-256', extensions });
    const error = thrown(() => loadCaSigner(notCa.certificatePem, notCa.privateKeyPem));
    expect(error.code).toBe('CA_CERTIFICATE_INVALID');
    expect(error.message).toContain(message);
  });

  it.each([
    ['another RSA key', () => selfSigned({ key: 'rsa:2048' }).privateKeyPem],
    ['an EC key', () => selfSigned({ key: 'ec:P-256' }).privateKeyPem],
  ])('refuses %s for the CA certificate with CA_KEY_MISMATCH', (_, otherKey) => {
    expect(thrown(() => loadCaSigner(rsaCa.certificatePem, otherKey())).code).toBe('CA_KEY_MISMATCH');
  });

  it('refuses a key that is not PEM, or is encrypted, with PRIVATE_KEY_INVALID', () => {
    const { stdout: encrypted } = openssl(
      ['pkcs8', '-topk8', '-in', 'key.pem', '-v2', 'aes-256-cbc', '-passout', 'pass:secret'],
      { 'key.pem': rsaCa.privateKeyPem },
    );
    expect(encrypted).toContain('ENCRYPTED PRIVATE KEY');
    for (const key of ['', 'nope', encrypted]) {
      expect(thrown(() => loadCaSigner(rsaCa.certificatePem, key)).code).toBe('PRIVATE_KEY_INVALID');
    }
  });

  it('refuses a CA certificate that is garbage or signed with SHA-1', () => {
    expect(thrown(() => loadCaSigner('garbage', rsaCa.privateKeyPem)).code).toBe('CERTIFICATE_PEM_INVALID');
    const sha1 = selfSigned({ digest: 'sha1', extensions: CA_EXTENSIONS });
    const error = thrown(() => loadCaSigner(sha1.certificatePem, sha1.privateKeyPem));
    expect(error.code).toBe('CERTIFICATE_ALGORITHM_UNSUPPORTED');
    expect(error.message).toBe(
      'The CA certificate is signed with sha1WithRSAEncryption, which AWS IoT does not accept; ' +
        'sign it with SHA-256 or stronger (sha256WithRSAEncryption or ecdsa-with-SHA256).',
    );
  });
});
