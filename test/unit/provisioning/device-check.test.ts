import { describe, expect, it } from '@jest/globals';
import { createSelfSignedCa } from '../../../src/provisioning/ca/self-signed-ca.js';
import { standInParameters } from '../../../src/provisioning/certificate-modes/stand-ins.js';
import { deviceProblem } from '../../../src/provisioning/device-check.js';
import { generateDeviceKeyPair } from '../../../src/certificates/index.js';
import { loadedTemplate } from '../../../src/templates/loaded-template.js';
import { parseTemplate } from '../../../src/templates/parse.js';

const REGION = { region: 'eu-west-1' };
const STRING = { Type: 'String' };
/** What a mode injects; the Default is never used, only keeps a template without a mode valid. */
const INJECTED = { Type: 'String', Default: 'injected' };

/** A thing named by the caller and, when `certificate` is given, a certificate resource using it. */
const template = (cdf: Record<string, unknown>, certificate?: Record<string, unknown>, extra = {}) =>
  loadedTemplate(
    parseTemplate({
      Parameters: {
        ThingName: STRING,
        CertificateId: INJECTED,
        CertificateArn: INJECTED,
        CertificatePem: INJECTED,
        CaCertificatePem: INJECTED,
      },
      Resources: {
        thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' }, ...extra } },
        ...(certificate && { certificate: { Type: 'AWS::IoT::Certificate', Properties: certificate } }),
      },
      CDF: cdf,
    }),
    undefined,
  );

const key = await generateDeviceKeyPair('EC-P256');
const ownCertificate = createSelfSignedCa(
  key.privateKeyPem,
  { country: 'DE', commonName: 'byo' },
  { days: 5 },
);

describe('deviceProblem', () => {
  it('names the parameters a caller must send and did not', () => {
    const problem = deviceProblem(
      template({ createDeviceAWSCertificate: true }, { CertificateId: { Ref: 'CertificateId' } }),
      undefined,
      {},
      REGION,
    );
    expect(problem).toMatchObject({
      code: 'TEMPLATE_PARAMETER_MISSING',
      message: "The template needs parameter(s) ThingName: send them in 'parameters'",
    });
  });

  it('is the refusal the worker would meet, naming the parameter', () => {
    const plain = template({});
    expect(deviceProblem(plain, undefined, { ThingName: 'pump-1' }, REGION)).toBeUndefined();
    expect(deviceProblem(plain, undefined, { ThingName: 'pump 1' }, REGION)).toMatchObject({
      code: 'TEMPLATE_PROPERTY_INVALID',
      message: expect.stringContaining(`parameter 'ThingName' gives "pump 1"`) as unknown,
    });
  });

  it("stands in for what each certificate mode injects, so the mode's own values pass", () => {
    const pem = { CertificatePem: { Ref: 'CertificatePem' } };
    const cases: [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>?][] = [
      [{ createDeviceAWSCertificate: true }, { CertificateId: { Ref: 'CertificateId' } }],
      [
        { createDeviceCertificate: true },
        { ...pem, CACertificatePem: { Ref: 'CaCertificatePem' }, Status: 'ACTIVE' },
        { caId: 'a'.repeat(64), certInfo: { country: 'US' } },
      ],
      [{ acmpca: { mode: 'REGISTER_WITHOUT_CA' } }, pem],
      [{ registerDeviceCertificateWithoutCA: true }, pem, { certificatePem: ownCertificate }],
    ];
    for (const [cdf, certificate, cdfParameters] of cases) {
      expect(
        deviceProblem(template(cdf, certificate), cdfParameters, { ThingName: 'pump-1' }, REGION),
      ).toBeUndefined();
    }
  });

  it('checks what a template makes of the stand-ins at their real length', () => {
    const named = (prefix: string) =>
      template(
        { createDeviceAWSCertificate: true },
        { CertificateId: { Ref: 'CertificateId' } },
        { AttributePayload: { certificate: { 'Fn::Sub': `${prefix}\${CertificateArn}` } } },
      );
    // arn:aws:iot:eu-west-1:<12 digits>:cert/<64 hex> is 104 characters.
    expect(deviceProblem(named('x'.repeat(696)), undefined, { ThingName: 'p' }, REGION)).toBeUndefined();
    expect(deviceProblem(named('x'.repeat(697)), undefined, { ThingName: 'p' }, REGION)).toMatchObject({
      code: 'TEMPLATE_PROPERTY_INVALID',
      message: expect.stringMatching(
        /AttributePayload\.certificate: parameter 'CertificateArn' gives/,
      ) as unknown,
    });
  });

  it("registerDeviceCertificateWithoutCA: checks with the caller's own certificate, and needs it", () => {
    const byo = template(
      { registerDeviceCertificateWithoutCA: true },
      { CertificateId: { Ref: 'CertificateId' } },
    );
    expect(deviceProblem(byo, {}, { ThingName: 'p' }, REGION)).toMatchObject({
      code: 'CERTIFICATE_PEM_REQUIRED',
    });
    expect(
      deviceProblem(byo, { certificatePem: `${ownCertificate}x` }, { ThingName: 'p' }, REGION),
    ).toMatchObject({ code: 'CERTIFICATE_PEM_INVALID' });
  });
});

describe('standInParameters', () => {
  it('injects exactly what the mode does, with an ARN of the region and its partition', () => {
    const aws = standInParameters('createDeviceAWSCertificate', {}, 'cn-north-1');
    expect(Object.keys(aws)).toEqual(['CertificateId', 'CertificateArn']);
    expect(aws.CertificateId).toMatch(/^[0-9a-f]{64}$/);
    expect(aws.CertificateArn).toBe(`arn:aws-cn:iot:cn-north-1:000000000000:cert/${aws.CertificateId}`);
    expect(Object.keys(standInParameters('createDeviceCertificate', {}, 'us-east-1')).sort()).toEqual([
      'CaCertificatePem',
      'CertificateArn',
      'CertificateId',
      'CertificatePem',
    ]);
    const byo = standInParameters(
      'registerDeviceCertificateWithoutCA',
      { cdfProvisioningParameters: { certificatePem: ownCertificate } },
      'us-east-1',
    );
    expect(byo.CertificatePem?.trim()).toBe(ownCertificate.trim());
  });
});
