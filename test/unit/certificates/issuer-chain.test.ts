import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  generateDeviceKeyPair,
  issueDeviceCertificate,
  issuerChain,
  loadCaSigner,
} from '../../../src/certificates/index.js';
import { CA_EXTENSIONS, makeCsr, openssl, selfSigned, thrown, type KeyAndCertificate } from './fixtures.js';

/** A CA certificate for a new key, signed by `issuer` (openssl, not the code under test). */
function intermediate(issuer: KeyAndCertificate, subject: string): KeyAndCertificate {
  const { csrPem, privateKeyPem } = makeCsr('ec:P-256', subject);
  const { outputs } = openssl(
    [
      'x509',
      '-req',
      '-in',
      'csr.pem',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      '7',
      '-days',
      '365',
      '-extfile',
      'ext.cnf',
      '-out',
      'cert.pem',
    ],
    {
      'csr.pem': csrPem,
      'ca.pem': issuer.certificatePem,
      'ca.key': issuer.privateKeyPem,
      'ext.cnf': [...CA_EXTENSIONS, 'authorityKeyIdentifier=keyid'].join('\n'),
    },
  );
  return { certificatePem: outputs['cert.pem'] ?? '', privateKeyPem };
}

const root = selfSigned({ key: 'rsa:2048', subject: '/C=DE/O=Acme/CN=Acme Root' });
const issuing = intermediate(root, '/C=DE/O=Acme/CN=Acme Devices');
const device = issueDeviceCertificate(loadCaSigner(issuing.certificatePem, issuing.privateKeyPem), {
  publicKey: (await generateDeviceKeyPair('EC-P256')).publicKeyPem,
  subject: { country: 'DE', commonName: 'pump-1' },
  days: 30,
});
const other = selfSigned({ key: 'ec:P-256', subject: '/C=DE/O=Other/CN=Other CA' });
const subjects = (chain: string | undefined) =>
  (chain?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? []).map((pem) =>
    new X509Certificate(pem).subject.split('\n').pop(),
  );

describe('issuerChain', () => {
  it('orders the chain issuing CA first, up to the root, each certificate signing the one before', () => {
    const chain = issuerChain(device, root.certificatePem + issuing.certificatePem);
    expect(subjects(chain)).toEqual(['CN=Acme Devices', 'CN=Acme Root']);
    expect(chain).toBe(issuing.certificatePem + root.certificatePem);
    expect(
      openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'chain.pem', 'device.pem'], {
        'root.pem': root.certificatePem,
        'chain.pem': chain ?? '',
        'device.pem': device,
      }).stdout,
    ).toContain('OK');
  });

  it('goes as far as the bundle does: the issuing CA alone when the root is not in it', () => {
    expect(issuerChain(device, issuing.certificatePem)).toBe(issuing.certificatePem);
  });

  it('leaves out certificates that are not on the path', () => {
    const chain = issuerChain(device, other.certificatePem + issuing.certificatePem + root.certificatePem);
    expect(subjects(chain)).toEqual(['CN=Acme Devices', 'CN=Acme Root']);
  });

  it('answers nothing when no certificate of the bundle issued it', () => {
    expect(issuerChain(device, root.certificatePem + other.certificatePem)).toBeUndefined();
  });

  it('does not take a CA of the same name but another key for the issuer', () => {
    const impostor = selfSigned({ key: 'ec:P-256', subject: '/C=DE/O=Acme/CN=Acme Devices', extensions: [] });
    expect(issuerChain(device, impostor.certificatePem)).toBeUndefined();
  });

  it('refuses a bundle that is not PEM certificates', () => {
    expect(thrown(() => issuerChain(device, `${issuing.certificatePem}trailing text`)).code).toBe(
      'CERTIFICATE_PEM_INVALID',
    );
  });
});
