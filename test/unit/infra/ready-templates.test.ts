import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_TEMPLATES_DIR } from '../../../infra/bootstrap.js';
import { checkTemplate } from '../../../src/template-admin/check-template.js';
import {
  CERTIFICATE_MODE_NAMES,
  parseCdfBlock,
  selectCertificateMode,
} from '../../../src/templates/cdf-block.js';
import { expandTemplate, parseTemplate } from '../../../src/templates/index.js';
import {
  createCsr,
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
} from '../../../src/certificates/index.js';
import { createSelfSignedCa } from '../../../src/provisioning/ca/self-signed-ca.js';

/** A CA, a device certificate it signed and a device CSR: expansion reads PEMs as AWS would. */
const caKey = await generateDeviceKeyPair('EC-P256');
const caPem = createSelfSignedCa(
  caKey.privateKeyPem,
  { country: 'DE', commonName: 'ready CA' },
  { days: 60 },
);
const deviceKey = await generateDeviceKeyPair('EC-P256');
const devicePem = issueDeviceCertificate(loadCaSigner(caPem, caKey.privateKeyPem), {
  publicKey: deviceKey.publicKeyPem,
  subject: { country: 'DE', commonName: 'pump-0001' },
  days: 30,
});

/** What a device request, plus its certificate mode, would supply. */
const SAMPLE_VALUES: Record<string, string> = {
  ThingName: 'pump-0001',
  CertificateId: 'a'.repeat(64),
  CertificateArn: `arn:aws:iot:us-east-1:123456789012:cert/${'a'.repeat(64)}`,
  CertificatePem: devicePem,
  CaCertificatePem: caPem,
  CSR: createCsr(deviceKey.privateKeyPem, { country: 'DE', commonName: 'pump-0001' }),
};

const files = readdirSync(SAMPLE_TEMPLATES_DIR).filter((f) => f.endsWith('.json'));

describe('every ready template in infra/templates', () => {
  it('includes one for each certificate mode and the common cases', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'aws-certificate.json',
        'create-device-certificate.json',
        'register-without-ca.json',
        'acmpca-with-ca.json',
        'acmpca-without-ca.json',
        'additional-policies.json',
        'add-thing-to-group.json',
        'policy-per-device.json',
      ]),
    );
  });

  it.each(files)('%s parses, passes the PUT checks and expands for a device', (file) => {
    const body = readFileSync(join(SAMPLE_TEMPLATES_DIR, file), 'utf8');
    const parsed = parseTemplate(body);
    const cdf = parseCdfBlock(parsed.cdf);
    const checked = checkTemplate(body, CERTIFICATE_MODE_NAMES);
    expect(checked.certificateMode).toBe(selectCertificateMode(cdf));

    const parameters = Object.fromEntries(
      parsed.parameterNames.map((name) => [name, SAMPLE_VALUES[name] ?? 'x']),
    );
    const expanded = expandTemplate(parsed, parameters, { region: 'us-east-1', accountId: '123456789012' });
    expect(expanded.thing?.thingName).toBe('pump-0001');
    if (checked.certificateMode !== undefined) expect(expanded.certificate).toBeDefined();
  });

  it('the certificate-mode templates name the mode CDF-NOTES documents', () => {
    const modeOf = (file: string) =>
      selectCertificateMode(
        parseCdfBlock(parseTemplate(readFileSync(join(SAMPLE_TEMPLATES_DIR, file), 'utf8')).cdf),
      );
    expect(modeOf('create-device-certificate.json')).toBe('createDeviceCertificate');
    expect(modeOf('register-without-ca.json')).toBe('registerDeviceCertificateWithoutCA');
    expect(modeOf('acmpca-with-ca.json')).toBe('acmpca');
    expect(modeOf('acmpca-without-ca.json')).toBe('acmpca');
    expect(modeOf('additional-policies.json')).toBe('createDeviceAWSCertificate');
    expect(modeOf('add-thing-to-group.json')).toBeUndefined();
  });

  it('policy-per-device gives each device a policy of its own', () => {
    const parsed = parseTemplate(readFileSync(join(SAMPLE_TEMPLATES_DIR, 'policy-per-device.json'), 'utf8'));
    const context = { region: 'eu-west-1', accountId: '123456789012' };
    const documentFor = (thingName: string) =>
      expandTemplate(parsed, { ThingName: thingName, CertificateId: 'a'.repeat(64) }, context).policies[0]
        ?.policyDocument;
    expect(documentFor('pump-1')).toContain('arn:aws:iot:eu-west-1:123456789012:client/pump-1');
    expect(documentFor('pump-1')).not.toBe(documentFor('pump-2'));
  });
});
