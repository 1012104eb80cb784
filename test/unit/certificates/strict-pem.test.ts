import { describe, expect, it } from '@jest/globals';
import {
  checkCertificatePem,
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
  parseCsr,
  verifyIssuedBy,
} from '../../../src/certificates/index.js';
import { readPem } from '../../../src/certificates/pem.js';
import { makeCsr, selfSigned, tampered, thrown } from './fixtures.js';

const ca = selfSigned({ key: 'ec:P-256' });
const device = await generateDeviceKeyPair('EC-P256');
const issued = issueDeviceCertificate(loadCaSigner(ca.certificatePem, ca.privateKeyPem), {
  publicKey: device.publicKeyPem,
  subject: { country: 'US', commonName: 'device-1' },
  days: 30,
});
/** A device's own certificate, self-signed, without keyCertSign (so OpenSSL's "issued by" says no). */
const own = selfSigned({
  key: 'ec:P-256',
  subject: '/C=US/CN=byo-device',
  extensions: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'],
  days: 30,
});
const { csrPem } = makeCsr('ec:P-256');

/** `pem`'s DER, re-encoded after `change`. */
function rewrapped(pem: string, change: (der: Buffer) => Buffer): string {
  const [, label = '', body = ''] = /-----BEGIN ([A-Z ]+)-----([\s\S]+?)-----END/.exec(pem) ?? [];
  const lines =
    change(Buffer.from(body, 'base64'))
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
const withTrailingByte = (pem: string) => rewrapped(pem, (der) => Buffer.concat([der, Buffer.of(0)]));

describe('readPem', () => {
  const pem = (base64: string) => `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
  // SEQUENCE { INTEGER 5 }: 5 bytes, so its base64 ends in 2 padding bits.
  const SEQUENCE = Buffer.of(0x30, 0x03, 0x02, 0x01, 0x05);

  it('gives the DER of exactly one block, white space (CRLF too) around and inside allowed', () => {
    expect(readPem(`\r\n  ${pem('MAMC\r\nAQU=')}\n\n`, ['CERTIFICATE'])).toEqual({
      der: SEQUENCE,
      label: 'CERTIFICATE',
    });
  });

  it.each([
    ['no block', 'MAMCAQU=', 'is not PEM encoded'],
    ['two blocks', pem('MAMCAQU=') + pem('MAMCAQU='), 'holds 2 PEM blocks'],
    ['text after the block', `${pem('MAMCAQU=')}garbage`, 'has text before or after its PEM block'],
    ['text before the block', `Subject: CN=x\n${pem('MAMCAQU=')}`, 'has text before or after its PEM block'],
    ['another label', pem('MAMCAQU=').replaceAll('CERTIFICATE', 'PRIVATE KEY'), 'is a PEM PRIVATE KEY block'],
    ['mismatched END', pem('MAMCAQU=').replace('END CERTIFICATE', 'END X509 CRL'), 'ends as X509 CRL'],
    ['headers', pem('Proc-Type: 4,ENCRYPTED\n\nMAMCAQU='), 'not base64'],
    ['non-canonical base64 (padding bits set)', pem('MAMCAQV='), 'base64 is not canonical'],
    ['bytes that are not ASN.1', pem(Buffer.from('hello!').toString('base64')), 'does not hold DER'],
    [
      'a byte after the DER',
      pem(Buffer.concat([SEQUENCE, Buffer.of(0)]).toString('base64')),
      '1 byte(s) after',
    ],
  ])('refuses %s', (_, text, problem) => {
    const read = readPem(text, ['CERTIFICATE']);
    expect('problem' in read && read.problem).toContain(problem);
  });
});

describe('checkCertificatePem is strict', () => {
  it('takes a certificate surrounded by white space', () => {
    expect(checkCertificatePem(`\n\n${issued.replaceAll('\n', '\r\n')}  \n`).certificate.subject).toContain(
      'CN=device-1',
    );
  });

  it.each([
    ['two certificates in one field', () => issued + ca.certificatePem, 'holds 2 PEM blocks'],
    ['a certificate and its key', () => own.certificatePem + own.privateKeyPem, 'holds 2 PEM blocks'],
    ['trailing garbage', () => `${issued}\n# exported by tool v1`, 'has text before or after'],
    ['a byte after the DER', () => withTrailingByte(issued), '1 byte(s) after its DER structure'],
    ['a CSR', () => csrPem, 'is a PEM CERTIFICATE REQUEST block'],
  ])('refuses %s with CERTIFICATE_PEM_INVALID', (_, pem, problem) => {
    const error = thrown(() => checkCertificatePem(pem()));
    expect(error.code).toBe('CERTIFICATE_PEM_INVALID');
    expect(error.message).toContain(problem);
  });
});

describe('the self-signature of a self-signed certificate', () => {
  // The serial number starts at byte 15 of these certificates' DER; the signature ends the DER.
  it.each([
    ['its serial number', 16],
    ['its signature', -1],
  ])('is verified: a certificate with %s altered is refused', (_, at) => {
    expect(checkCertificatePem(own.certificatePem).certificate.subject).toContain('CN=byo-device');
    const error = thrown(() => checkCertificatePem(tampered(own.certificatePem, at)));
    expect(error.code).toBe('CERTIFICATE_SIGNATURE_INVALID');
    expect(error.message).toContain('self-signed');
  });

  it('is verified for a self-signed CA certificate too', () => {
    expect(thrown(() => checkCertificatePem(tampered(ca.certificatePem, 16))).code).toBe(
      'CERTIFICATE_SIGNATURE_INVALID',
    );
  });

  it('cannot be checked for a certificate another CA signed, whose CA is not at hand', () => {
    // What is not checked without the CA: the altered certificate still reads as a certificate.
    expect(() => checkCertificatePem(tampered(issued, 16))).not.toThrow();
    expect(
      thrown(() => {
        verifyIssuedBy(tampered(issued, 16), ca.certificatePem);
      }).code,
    ).toBe('CERTIFICATE_CHAIN_INVALID');
  });
});

describe('verifyIssuedBy with a chain', () => {
  const other = selfSigned({ key: 'ec:P-256', subject: '/CN=Other CA' }).certificatePem;

  it('finds the issuer among the chain, in any position', () => {
    expect(() => {
      verifyIssuedBy(issued, `${other}${ca.certificatePem}`);
    }).not.toThrow();
  });

  it('refuses a chain with text between its certificates, and a certificate that is two', () => {
    expect(
      thrown(() => {
        verifyIssuedBy(issued, `${other}junk\n${ca.certificatePem}`);
      }).code,
    ).toBe('CERTIFICATE_PEM_INVALID');
    expect(
      thrown(() => {
        verifyIssuedBy(issued + issued, ca.certificatePem);
      }).message,
    ).toContain('holds 2 PEM blocks');
  });
});

describe('parseCsr is strict', () => {
  it.each([
    ['two CSRs in one field', () => csrPem + makeCsr('ec:P-256').csrPem, 'holds 2 PEM blocks'],
    ['trailing garbage', () => `${csrPem}garbage`, 'has text before or after'],
    ['a byte after the DER', () => withTrailingByte(csrPem), '1 byte(s) after its DER structure'],
    ['a certificate', () => issued, 'is a PEM CERTIFICATE block'],
  ])('refuses %s with CSR_INVALID', (_, pem, problem) => {
    const error = thrown(() => parseCsr(pem()));
    expect(error.code).toBe('CSR_INVALID');
    expect(error.message).toContain(problem);
  });

  it('takes the old NEW CERTIFICATE REQUEST label, and white space around', () => {
    const old = csrPem.replaceAll('CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST');
    expect(parseCsr(`\n${old}\n`).subject.commonName).toBe('device-0001');
  });
});

describe("a CSR's subject", () => {
  const csrWith = (subject: string) => makeCsr('ec:P-256', subject).csrPem;

  it.each([
    ['a right-to-left override in the CN', '/C=US/CN=invoice\u202Efdp.exe', 'CN (commonName)', 'U+202E'],
    ['a C1 control in the O', '/C=US/O=Acme\u0085Corp', 'O (organization)', 'U+0085'],
    ['an isolate in the OU', '/C=US/OU=a\u2066b', 'OU (organizationalUnit)', 'U+2066'],
    [
      'a bidi mark in an attribute certInfo has no field for',
      '/C=US/title=x\u200Fy',
      'attribute 2.5.4.12',
      'U+200F',
    ],
  ])('with %s is refused with CERT_INFO_INVALID naming the field', (_, subject, field, codePoint) => {
    const error = thrown(() => parseCsr(csrWith(subject)));
    expect(error.code).toBe('CERT_INFO_INVALID');
    expect(error.message).toContain(`The CSR's subject ${field}`);
    expect(error.message).toContain(codePoint);
  });

  it('may hold any other text', () => {
    expect(parseCsr(csrWith('/C=DE/L=Köln/O=東京 Devices/CN=pump 🚰')).subject).toEqual({
      country: 'DE',
      locality: 'Köln',
      organization: '東京 Devices',
      commonName: 'pump 🚰',
    });
  });
});
