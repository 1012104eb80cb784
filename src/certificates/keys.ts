import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { CertificateError, type CertificateErrorCode } from './errors.js';

export type DeviceKeyAlgorithm = 'RSA-2048' | 'EC-P256';

export interface DeviceKeyPair {
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo PEM. */
  publicKeyPem: string;
}

// PEM straight from the generator: exporting fresh KeyObjects (as JWK) deadlocks Node 20.20 after
// about a thousand keys, and the async call keeps RSA's slow prime search off the event loop.
const PEM = {
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
} as const;

export function generateDeviceKeyPair(algorithm: DeviceKeyAlgorithm): Promise<DeviceKeyPair> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKeyPem: string, privateKeyPem: string) => {
      if (error) reject(error);
      else resolve({ privateKeyPem, publicKeyPem });
    };
    if (algorithm === 'RSA-2048') generateKeyPair('rsa', { modulusLength: 2048, ...PEM }, done);
    else generateKeyPair('ec', { namedCurve: 'prime256v1', ...PEM }, done);
  });
}

function readKey(read: (pem: string) => KeyObject, pem: string, code: CertificateErrorCode, message: string) {
  try {
    return read(pem);
  } catch (e: unknown) {
    throw new CertificateError(code, message, { cause: e });
  }
}

/** `what` names the key in the message, e.g. "The CA private key". */
export function readPrivateKey(pem: string, what = 'The private key'): KeyObject {
  const message = `${what} is not an unencrypted PEM private key (PKCS#8, PKCS#1 or SEC 1).`;
  return readKey(createPrivateKey, pem, 'PRIVATE_KEY_INVALID', message);
}

export function readPublicKey(pem: string, what = 'The public key'): KeyObject {
  const message = `${what} is not a PEM public key (-----BEGIN PUBLIC KEY-----).`;
  return readKey(createPublicKey, pem, 'PUBLIC_KEY_INVALID', message);
}
