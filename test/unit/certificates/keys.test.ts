import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { generateDeviceKeyPair, readPrivateKey, readPublicKey } from '../../../src/certificates/index.js';
import { thrown } from './fixtures.js';

describe('generateDeviceKeyPair', () => {
  it.each([
    ['RSA-2048', 'rsa', { modulusLength: 2048, publicExponent: 65537n }],
    ['EC-P256', 'ec', { namedCurve: 'prime256v1' }],
  ] as const)('makes a %s key pair as PKCS#8 and SPKI PEM', async (algorithm, type, details) => {
    const { privateKeyPem, publicKeyPem } = await generateDeviceKeyPair(algorithm);
    expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
    expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    const privateKey = createPrivateKey(privateKeyPem);
    expect(privateKey.asymmetricKeyType).toBe(type);
    expect(privateKey.asymmetricKeyDetails).toEqual(details);
    expect(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' })).toBe(publicKeyPem);
  });

  it('makes a fresh key every time, also past the thousand keys where JWK export deadlocks on Node 20.20', async () => {
    const keys = await Promise.all(Array.from({ length: 1200 }, () => generateDeviceKeyPair('EC-P256')));
    expect(new Set(keys.map((k) => k.privateKeyPem)).size).toBe(1200);
  });
});

describe('reading keys', () => {
  it('reads PEM keys', async () => {
    const { privateKeyPem, publicKeyPem } = await generateDeviceKeyPair('EC-P256');
    expect(readPrivateKey(privateKeyPem).type).toBe('private');
    expect(readPublicKey(publicKeyPem).type).toBe('public');
  });

  it.each([
    ['garbage', 'not a key'],
    [
      'a public key',
      '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n',
    ],
  ])('refuses %s as a private key with PRIVATE_KEY_INVALID', (_, pem) => {
    expect(thrown(() => readPrivateKey(pem, 'The CA private key'))).toMatchObject({
      code: 'PRIVATE_KEY_INVALID',
      message: expect.stringContaining('The CA private key is not an unencrypted PEM private key') as unknown,
    });
  });

  it('refuses garbage as a public key with PUBLIC_KEY_INVALID', () => {
    expect(
      thrown(() => readPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).code,
    ).toBe('PUBLIC_KEY_INVALID');
  });
});
