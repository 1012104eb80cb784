import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Certificate } from 'pkijs';
import {
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
  privateKeyMatchesCertificate,
  type CertInfo,
} from '../../../src/certificates/index.js';
import {
  CA_EXTENSIONS,
  openssl,
  opensslText,
  opensslVerify,
  selfSigned,
  thrown,
  type KeySpec,
} from './fixtures.js';

const SUBJECT: CertInfo = { country: 'US', stateName: 'WA', organization: 'Acme', commonName: 'device-0001' };
const DAY_MS = 86_400_000;

const CAS = {
  'RSA-2048': { key: 'rsa:2048', signature: 'sha256WithRSAEncryption' },
  'EC P-256': { key: 'ec:P-256', signature: 'ecdsa-with-SHA256' },
  'EC P-384': { key: 'ec:P-384', signature: 'ecdsa-with-SHA384' },
} as const satisfies Record<string, { key: KeySpec; signature: string }>;
const cas = Object.fromEntries(
  Object.entries(CAS).map(([name, { key }]) => [
    name,
    selfSigned({ key, subject: `/C=DE/O=Acme/CN=${name} CA` }),
  ]),
);
const caOf = (name: keyof typeof CAS) => cas[name] ?? selfSigned();

/** The subject key identifier OpenSSL computes for `keyPem`, via a throw-away certificate. */
function opensslKeyIdentifier(keyPem: string): string | undefined {
  const { certificatePem } = selfSigned({ keyPem, extensions: ['subjectKeyIdentifier=hash'] });
  return /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(opensslText(certificatePem))?.[1];
}

const extensionValue = (text: string, name: string) =>
  new RegExp(`${name}:[^\\n]*\\n\\s*([^\\n]+)`).exec(text)?.[1];

describe('issueDeviceCertificate', () => {
  const cases = Object.keys(CAS).flatMap((ca) =>
    (['RSA-2048', 'EC-P256'] as const).map((device) => [ca as keyof typeof CAS, device] as const),
  );

  it.each(cases)(
    'a %s CA issues a valid client certificate for a %s device key',
    async (caName, algorithm) => {
      const ca = caOf(caName);
      const caCertificate = new X509Certificate(ca.certificatePem);
      const device = await generateDeviceKeyPair(algorithm);
      const now = new Date();
      const pem = issueDeviceCertificate(loadCaSigner(ca.certificatePem, ca.privateKeyPem), {
        publicKey: device.publicKeyPem,
        subject: SUBJECT,
        days: 30,
        now,
      });

      expect(pem).toMatch(
        /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/,
      );
      expect(opensslVerify(ca.certificatePem, pem)).toBe('cert.pem: OK\n');
      const certificate = new X509Certificate(pem);
      expect(certificate.verify(caCertificate.publicKey)).toBe(true);
      expect(certificate.checkIssued(caCertificate)).toBe(true);
      expect(privateKeyMatchesCertificate(device.privateKeyPem, pem)).toBe(true);

      expect(certificate.subject).toBe('C=US\nST=WA\nO=Acme\nCN=device-0001');
      expect(certificate.issuer).toBe(caCertificate.subject);
      expect(Math.abs(new Date(certificate.validFrom).getTime() - now.getTime())).toBeLessThan(1000);
      expect(Math.abs(new Date(certificate.validTo).getTime() - (now.getTime() + 30 * DAY_MS))).toBeLessThan(
        1000,
      );
      expect(certificate.ca).toBe(false);
      expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // Node names the extended key usage so
      expect(certificate.serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/); // 16 bytes, positive, no leading zero

      const text = opensslText(pem);
      expect(text).toContain('Version: 3 (0x2)');
      expect(text).toContain(`Signature Algorithm: ${CAS[caName].signature}`);
      expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
      const keyUsage = algorithm === 'RSA-2048' ? 'Digital Signature, Key Encipherment' : 'Digital Signature';
      expect(text).toMatch(new RegExp(`X509v3 Key Usage: critical\\n\\s+${keyUsage}\\n`));
      expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Client Authentication\n/);
      expect(extensionValue(text, 'Subject Key Identifier')).toBe(opensslKeyIdentifier(device.privateKeyPem));
      expect(extensionValue(text, 'Authority Key Identifier')).toBe(
        extensionValue(opensslText(ca.certificatePem), 'Subject Key Identifier'),
      );
    },
  );

  it('accepts the public key as a KeyObject and makes a new serial number each time', () => {
    const ca = caOf('EC P-256');
    const signer = loadCaSigner(ca.certificatePem, ca.privateKeyPem);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const serials = new Set(
      Array.from({ length: 50 }, () => {
        const pem = issueDeviceCertificate(signer, { publicKey, subject: SUBJECT, days: 1 });
        return new X509Certificate(pem).serialNumber;
      }),
    );
    expect(serials.size).toBe(50);
  });

  it("copies the CA's subject into the issuer byte for byte, even multi-valued RDNs and PrintableStrings", async () => {
    const ca = selfSigned({
      key: 'ec:P-256',
      subject: '/C=DE/O=Acme+OU=Device CA/CN=Odd CA',
      extraArgs: ['-multivalue-rdn'],
      reqConfig: 'string_mask = default',
    });
    const device = await generateDeviceKeyPair('EC-P256');
    const pem = issueDeviceCertificate(loadCaSigner(ca.certificatePem, ca.privateKeyPem), {
      publicKey: device.publicKeyPem,
      subject: SUBJECT,
      days: 30,
    });
    const der = (p: string) => new X509Certificate(p).raw;
    const caSubject = Buffer.from(Certificate.fromBER(der(ca.certificatePem)).subject.valueBeforeDecode);
    expect(Buffer.from(Certificate.fromBER(der(pem)).issuer.valueBeforeDecode)).toEqual(caSubject);
    expect(caSubject.includes(Buffer.from([0x13, 4, ...Buffer.from('Acme')]))).toBe(true); // PrintableString O
    expect(opensslVerify(ca.certificatePem, pem)).toBe('cert.pem: OK\n');
  });

  it("computes the authority key identifier from the CA's key when its certificate has none", async () => {
    const ca = selfSigned({ extensions: [...CA_EXTENSIONS.slice(0, 2), 'subjectKeyIdentifier=none'] });
    expect(opensslText(ca.certificatePem)).not.toContain('Subject Key Identifier');
    const device = await generateDeviceKeyPair('EC-P256');
    const pem = issueDeviceCertificate(loadCaSigner(ca.certificatePem, ca.privateKeyPem), {
      publicKey: device.publicKeyPem,
      subject: SUBJECT,
      days: 30,
    });
    expect(extensionValue(opensslText(pem), 'Authority Key Identifier')).toBe(
      opensslKeyIdentifier(ca.privateKeyPem),
    );
    expect(opensslVerify(ca.certificatePem, pem, false)).toBe('cert.pem: OK\n');
  });

  it('switches from UTCTime to GeneralizedTime for dates from 2050 on', async () => {
    const ca = selfSigned({ key: 'ec:P-256', days: 10_000 });
    const device = await generateDeviceKeyPair('EC-P256');
    const pem = issueDeviceCertificate(loadCaSigner(ca.certificatePem, ca.privateKeyPem), {
      publicKey: device.publicKeyPem,
      subject: SUBJECT,
      days: 60,
      now: new Date('2049-12-01T12:00:00.789Z'),
    });
    const { stdout } = openssl(['asn1parse', '-in', 'cert.pem'], { 'cert.pem': pem });
    expect(stdout).toMatch(/UTCTIME\s+:491201120000Z/);
    expect(stdout).toMatch(/GENERALIZEDTIME\s+:20500130120000Z/);
    expect(new X509Certificate(pem).validTo).toBe('Jan 30 12:00:00 2050 GMT');
  });

  describe('refuses', () => {
    const ca = selfSigned({ key: 'ec:P-256', days: 100 });
    const signer = loadCaSigner(ca.certificatePem, ca.privateKeyPem);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const issue = (overrides: Partial<Parameters<typeof issueDeviceCertificate>[1]>) => () =>
      issueDeviceCertificate(signer, { publicKey, subject: SUBJECT, days: 30, ...overrides });

    it.each([0, -1, 1.5, Number.NaN, 36_501])('%s days with CERT_INFO_INVALID', (days) => {
      expect(thrown(issue({ days })).code).toBe('CERT_INFO_INVALID');
    });

    it('a lifetime beyond the CA certificate, saying how many days are left', () => {
      const error = thrown(issue({ days: 365 }));
      expect(error.code).toBe('CERT_INFO_INVALID');
      expect(error.message).toMatch(/would outlive its CA certificate .*; ask for at most (99|100) days/);
    });

    it('to sign with an expired or not yet valid CA', () => {
      expect(thrown(issue({ days: 1, now: new Date(Date.now() + 101 * DAY_MS) })).code).toBe(
        'CERTIFICATE_EXPIRED',
      );
      expect(thrown(issue({ days: 1, now: new Date(Date.now() - DAY_MS) })).code).toBe(
        'CERTIFICATE_NOT_YET_VALID',
      );
    });

    it('a bad subject with CERT_INFO_INVALID', () => {
      expect(thrown(issue({ subject: { country: 'Germany' } })).code).toBe('CERT_INFO_INVALID');
    });

    it('device keys AWS IoT refuses, and public keys that are not PEM', () => {
      const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
      expect(thrown(issue({ publicKey: weak })).message).toContain(
        "The device's public key has an RSA-1024 key",
      );
      const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey;
      expect(thrown(issue({ publicKey: k1 })).code).toBe('CERTIFICATE_ALGORITHM_UNSUPPORTED');
      expect(thrown(issue({ publicKey: 'ssh-rsa AAAA' })).code).toBe('PUBLIC_KEY_INVALID');
    });
  });
});
