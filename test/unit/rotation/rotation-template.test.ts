import { describe, expect, it } from '@jest/globals';
import { ROTATION_CSR_PARAMETER, rotationTemplate } from '../../../src/provisioning/rotation-template.js';
import { retireAfter } from '../../../src/rotation/resolve-rotation.js';
import { certInfoOf } from '../../../src/rotation/subject-of.js';
import type { Rotation, RotationMode } from '../../../src/tasks/rotation.js';
import { expandTemplate } from '../../../src/templates/expand.js';
import { makeCsr, selfSigned } from '../certificates/fixtures.js';

const CERTIFICATE_ID = 'a'.repeat(64);
const rotation = (mode: RotationMode, policies = ['p1', 'p2']): Rotation => ({
  thingName: 'pump-1',
  replaces: { certificateId: 'b'.repeat(64), certificateArn: 'arn:aws:iot:us-east-1:123456789012:cert/b' },
  mode,
  policies,
  retire: 'never',
});
const context = { region: 'us-east-1', accountId: '123456789012', certificateId: CERTIFICATE_ID };

describe('the template a rotation runs', () => {
  it.each([
    ['own-ca', 'createDeviceCertificate'],
    ['aws', 'createDeviceAWSCertificate'],
    ['registered', 'registerDeviceCertificateWithoutCA'],
    ['acm-pca', 'acmpca'],
  ] as const)('%s: the CDF mode %s, the certificate by the id it injects', (mode, cdfMode) => {
    const template = rotationTemplate(rotation(mode));
    expect(template.certificateMode).toBe(cdfMode);
    const expanded = expandTemplate(
      template.parsed,
      { ThingName: 'pump-1', CertificateId: CERTIFICATE_ID },
      context,
    );
    expect(expanded.certificate).toMatchObject({ certificateId: CERTIFICATE_ID, status: 'ACTIVE' });
  });

  it('the thing as it is (nothing about it changes), and the old policies by name, nothing created', () => {
    const expanded = expandTemplate(
      rotationTemplate(rotation('aws')).parsed,
      { ThingName: 'pump-1', CertificateId: CERTIFICATE_ID },
      context,
    );
    expect(expanded.thing).toMatchObject({ thingName: 'pump-1' });
    expect(expanded.thing?.attributes).toBeUndefined();
    expect(expanded.thing?.thingTypeName).toBeUndefined();
    expect(expanded.thing?.thingGroups).toBeUndefined();
    expect(expanded.policies.map((p) => [p.policyName, p.policyDocument])).toEqual([
      ['p1', undefined],
      ['p2', undefined],
    ]);
  });

  it('aws-csr: no CDF mode; AWS IoT signs the CSR parameter; a certificate with no policies has none', () => {
    const template = rotationTemplate(rotation('aws-csr', []));
    expect(template.certificateMode).toBeUndefined();
    const { csrPem } = makeCsr('ec:P-256');
    const parameters = { ThingName: 'pump-1', [ROTATION_CSR_PARAMETER]: csrPem };
    const expanded = expandTemplate(template.parsed, parameters, context);
    expect(expanded.certificate?.certificateSigningRequest).toContain('BEGIN CERTIFICATE REQUEST');
    expect(expanded.certificate?.status).toBe('ACTIVE');
    expect(expanded.policies).toEqual([]);
  });

  it('acm-pca keeps whether the certificate is registered with its AWS IoT CA', () => {
    const template = rotationTemplate({ ...rotation('acm-pca'), acmpcaMode: 'REGISTER_WITH_CA' });
    expect(template.cdf.acmpca).toEqual({ mode: 'REGISTER_WITH_CA' });
  });
});

describe('the inputs of a rotation', () => {
  it('retireOldCertificate: now, never, or a grace period in seconds', () => {
    expect(retireAfter('now')).toBe('now');
    expect(retireAfter('never')).toBe('never');
    expect(retireAfter({ afterDays: 2 })).toEqual({ afterSeconds: 172_800 });
    expect(retireAfter({ afterSeconds: 5 })).toEqual({ afterSeconds: 5 });
  });

  it("the replaced certificate's subject as certInfo; none without a country", () => {
    const named = selfSigned({
      key: 'ec:prime256v1',
      subject: '/C=DE/O=Acme/OU=Pumps/CN=pump-1',
      extensions: [],
    });
    expect(certInfoOf(named.certificatePem)).toEqual({
      country: 'DE',
      organization: 'Acme',
      organizationalUnit: 'Pumps',
      commonName: 'pump-1',
    });
    const bare = selfSigned({ key: 'ec:prime256v1', subject: '/CN=AWS IoT Certificate', extensions: [] });
    expect(certInfoOf(bare.certificatePem)).toBeUndefined();
  });
});
