import { beforeAll, describe, expect, it } from '@jest/globals';
import { UpdateCACertificateCommand } from '@aws-sdk/client-iot';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { bootstrapSampleCas, type SampleCas } from '../../infra/bootstrap-ca.js';
import {
  generateDeviceKeyPair,
  privateKeyMatchesCertificate,
  readCertificate,
} from '../../src/certificates/index.js';
import { caKeyParameterName } from '../../src/provisioning/ca/ca-key-presence.js';
import {
  caPemOf,
  certificateArnOf,
  certificatesOfCa,
  certificateTemplate,
  expectChainOf,
  expectRefused,
  inIot,
  makeCa,
  noSealedKey,
} from '../support/certificate-modes.js';
import { dieDuring } from '../support/crashed-worker.js';
import { provisionNow, request as http } from '../support/http.js';
import { certificateStatus, principalsOf, thingExists } from '../support/iot-registry.js';
import { unique } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { deliverTask, recordTask } from '../support/tasks.js';
import { putTemplate } from '../support/templates.js';
import { makeCsr, opensslVerify, tampered } from '../unit/certificates/fixtures.js';

const env = useStack({ env: { DEVICE_CERTIFICATE_DAYS: '90' }, api: true, workers: true });
let cas: SampleCas;
const caPem: Record<string, string> = {};

const DAY_MS = 86_400_000;
const TEMPLATE = 'create-device-certificate';

beforeAll(async () => {
  const { stack } = env;
  cas = await bootstrapSampleCas(stack.clients, stack.config);
  caPem.rsa = await caPemOf(stack.clients.iot, cas.rsaCaId);
  caPem.ec = await caPemOf(stack.clients.iot, cas.ecCaId);
  // The same template, choosing EC keys in its CDF block.
  await putTemplate(stack, 'create-device-certificate-ec', {
    Parameters: {
      ThingName: { Type: 'String' },
      CertificatePem: { Type: 'String' },
      CaCertificatePem: { Type: 'String' },
    },
    Resources: {
      thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } },
      certificate: {
        Type: 'AWS::IoT::Certificate',
        Properties: {
          CertificatePem: { Ref: 'CertificatePem' },
          CACertificatePem: { Ref: 'CaCertificatePem' },
        },
      },
    },
    CDF: { createDeviceCertificate: true, keyAlgorithm: 'EC-P256' },
  });
});

const subjectOf = (pem: string) => new X509Certificate(pem).subject.split('\n');
const lifetimeDays = (pem: string) => {
  const c = new X509Certificate(pem);
  return (new Date(c.validTo).getTime() - new Date(c.validFrom).getTime()) / DAY_MS;
};

describe('createDeviceCertificate, end to end', () => {
  it.each([
    ['RSA CA, RSA key (the default)', 'rsa', undefined, TEMPLATE, 'RSA', 'sha256WithRSAEncryption'],
    [
      'RSA CA, EC key (asked for in the request)',
      'rsa',
      'EC-P256',
      TEMPLATE,
      'EC',
      'sha256WithRSAEncryption',
    ],
    ['EC CA, RSA key', 'ec', 'RSA-2048', TEMPLATE, 'RSA', 'ecdsa-with-SHA256'],
    [
      'EC CA, EC key (asked for in the template)',
      'ec',
      undefined,
      'create-device-certificate-ec',
      'EC',
      'ecdsa-with-SHA256',
    ],
  ] as const)(
    '%s: signed, registered, attached; the key is returned and matches',
    async (_, ca, keyAlgorithm, template, family, signature) => {
      const thingName = unique('own-ca');
      const caId = ca === 'rsa' ? cas.rsaCaId : cas.ecCaId;
      const res = await provisionNow(env.api.url, {
        provisioningTemplateId: template,
        parameters: { ThingName: thingName },
        cdfProvisioningParameters: {
          caId,
          certInfo: {
            commonName: thingName,
            organization: 'Acme',
            organizationalUnit: 'Pumps',
            locality: 'Seattle',
            stateName: 'WA',
            country: 'us',
            emailAddress: 'ops@example.com',
            daysExpiry: 30,
          },
          ...(keyAlgorithm === undefined ? {} : { keyAlgorithm }),
        },
      });
      expect(res.status).toBe(201);
      const certificatePem = String(res.body.certificatePem);
      const privateKey = String(res.body.privateKey);

      // The chain, checked by openssl (strict), and the key pair.
      expect(opensslVerify(caPem[ca] ?? '', certificatePem)).toContain('OK');
      // The result carries that chain: the CA that signed the certificate.
      expect(expectChainOf(res.body.certificateChainPem, certificatePem, caPem[ca])).toHaveLength(1);
      expect(privateKeyMatchesCertificate(privateKey, certificatePem)).toBe(true);
      const read = readCertificate(certificatePem);
      expect(read.key.family).toBe(family);
      expect(read.signatureAlgorithm.name).toBe(signature);
      expect(createPrivateKey(privateKey).asymmetricKeyType).toBe(family === 'RSA' ? 'rsa' : 'ec');
      expect(String(res.body.publicKey)).toContain('BEGIN PUBLIC KEY');

      // Subject and validity as requested.
      expect(subjectOf(certificatePem)).toEqual([
        'C=US',
        'ST=WA',
        'L=Seattle',
        'O=Acme',
        'OU=Pumps',
        `CN=${thingName}`,
        'emailAddress=ops@example.com',
      ]);
      expect(lifetimeDays(certificatePem)).toBe(30);

      // In the registry: registered under its CA, active, attached to the thing.
      const arn = certificateArnOf(res);
      expect(await principalsOf(env.stack.clients.iot, thingName)).toEqual([arn]);
      expect(await certificatesOfCa(env.stack.clients.iot, caId)).toContain(arn);
      expect(await certificateStatus(env.stack.clients.iot, arn.split('/').pop() ?? '')).toBe('ACTIVE');
    },
  );

  it.each([
    ['an RSA CSR, signed by the EC CA', 'rsa:2048', 'ec'],
    ['an EC CSR, signed by the RSA CA', 'ec:P-256', 'rsa'],
  ] as const)('signs the device CSR (%s) and returns no key', async (_, key, ca) => {
    const thingName = unique('own-ca-csr');
    const { csrPem, privateKeyPem } = makeCsr(key, `/C=US/O=Device Maker/CN=${thingName}`);
    const res = await provisionNow(env.api.url, {
      provisioningTemplateId: TEMPLATE,
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: {
        caId: ca === 'rsa' ? cas.rsaCaId : cas.ecCaId,
        csr: csrPem,
        certInfo: { country: 'DE', commonName: thingName },
      },
    });
    expect(res.status).toBe(201);
    const certificatePem = String(res.body.certificatePem);
    expect(res.body.privateKey).toBeUndefined();
    expect(privateKeyMatchesCertificate(privateKeyPem, certificatePem)).toBe(true);
    expect(opensslVerify(caPem[ca] ?? '', certificatePem)).toContain('OK');
    expectChainOf(res.body.certificateChainPem, certificatePem, caPem[ca]);
    // certInfo, not the CSR, gives the subject; the lifetime is the configured default.
    expect(subjectOf(certificatePem)).toEqual(['C=DE', `CN=${thingName}`]);
    expect(lifetimeDays(certificatePem)).toBe(90);
  });

  it('takes the subject from the CSR when there is no certInfo', async () => {
    const thingName = unique('own-ca-csr-subject');
    const { csrPem } = makeCsr('ec:P-256', `/C=FR/O=Maker/CN=${thingName}`);
    const res = await provisionNow(env.api.url, {
      provisioningTemplateId: TEMPLATE,
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: { caId: cas.rsaCaId, csr: csrPem },
    });
    expect(res.status).toBe(201);
    expect(subjectOf(String(res.body.certificatePem))).toEqual(['C=FR', 'O=Maker', `CN=${thingName}`]);
  });
});

describe('createDeviceCertificate, refused at submit with a reason', () => {
  const submit = (cdfProvisioningParameters: Record<string, unknown>, thingName = unique('refused')) =>
    provisionNow(env.api.url, {
      provisioningTemplateId: TEMPLATE,
      parameters: { ThingName: thingName },
      cdfProvisioningParameters,
    });

  it("the seed example's caId, which is not registered here", async () => {
    const res = await submit({
      caId: 'fd92c2dd74c83b64571fca5cb8cc8bd441c9472841fb1a741fcc9845b5db12d4',
      certInfo: { country: 'US' },
    });
    expectRefused(res, 'CA_NOT_FOUND', 'fd92c2dd74c83b64571fca5cb8cc8bd441c9472841fb1a741fcc9845b5db12d4');
    expect(res.body.taskId).toBeUndefined();
  });

  it.each<[string, () => Record<string, unknown>, string, RegExp]>([
    ['no caId', () => ({ certInfo: { country: 'US' } }), 'CA_ID_REQUIRED', /caId/],
    ['no certInfo and no CSR', () => ({ caId: cas.rsaCaId }), 'CERT_INFO_REQUIRED', /certInfo/],
    [
      'a CSR that is not one',
      () => ({ caId: cas.rsaCaId, csr: 'hello', certInfo: { country: 'US' } }),
      'CSR_INVALID',
      /PEM/,
    ],
    [
      'a CSR whose signature does not verify',
      () => ({
        caId: cas.rsaCaId,
        csr: tampered(makeCsr('ec:P-256').csrPem, 'Device Maker'),
        certInfo: { country: 'US' },
      }),
      'CSR_SIGNATURE_INVALID',
      /signature/,
    ],
    [
      'a certificate that would outlive its CA',
      () => ({ caId: cas.rsaCaId, certInfo: { country: 'US', daysExpiry: 36_000 } }),
      'CERT_INFO_INVALID',
      /outlive/,
    ],
  ])('%s', async (_, parameters, code, reason) => {
    expectRefused(await submit(parameters()), code, reason);
  });

  it('a CA whose key is not in SSM, naming the parameter to create', async () => {
    const { caId } = await makeCa(env.stack, 'EC-P256', { storeKey: false, active: true });
    const res = await submit({ caId, certInfo: { country: 'US' } });
    expectRefused(res, 'CA_KEY_NOT_FOUND', `cdf-ca-key-${caId}`);
  });

  /** Stores a key for `caId` as the test says: of another type, or not the CA's own. */
  const storeKey = async (caId: string, type: 'String' | 'SecureString', privateKeyPem: string) => {
    await env.stack.clients.ssm.send(
      new PutParameterCommand({
        Name: caKeyParameterName(env.stack.config.certificates.caKeyParameterPattern, caId),
        Type: type,
        Value: privateKeyPem,
      }),
    );
  };

  it('a CA whose key is stored in clear text, naming the parameter', async () => {
    const { caId } = await makeCa(env.stack, 'EC-P256', { storeKey: false, active: true });
    await storeKey(caId, 'String', (await generateDeviceKeyPair('EC-P256')).privateKeyPem);
    const res = await submit({ caId, certInfo: { country: 'US' } });
    expectRefused(res, 'CA_KEY_NOT_SECURE', `cdf-ca-key-${caId}`);
    expect(res.body.taskId).toBeUndefined();
  });

  it("a stored key that is not the CA's: the API never reads it, the worker fails the task", async () => {
    const { caId } = await makeCa(env.stack, 'EC-P256', { storeKey: false, active: true });
    await storeKey(caId, 'SecureString', (await generateDeviceKeyPair('EC-P256')).privateKeyPem);
    const thingName = unique('wrong-ca-key');
    // Within the test CA's 30 days, so the lifetime check passes.
    const res = await submit({ caId, certInfo: { country: 'US', daysExpiry: 10 } }, thingName);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ taskId: expect.any(String) as unknown, code: 'CA_KEY_MISMATCH' });
    expect(await thingExists(env.stack.clients.iot, thingName)).toBe(false);
  });

  it('a CA that is registered but inactive', async () => {
    const { caId } = await makeCa(env.stack, 'EC-P256', { storeKey: true, active: false });
    const res = await submit({ caId, certInfo: { country: 'US' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'CA_NOT_ACTIVE' });
  });
});

describe('createDeviceCertificate in the worker', () => {
  it('a CA deactivated after submit fails the task with a code and leaves nothing in IoT', async () => {
    const { caId } = await makeCa(env.stack, 'RSA-2048', { storeKey: true, active: true });
    const thingName = unique('ca-gone');
    const taskId = await recordTask(env.stack, {
      provisioningTemplateId: TEMPLATE,
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: { caId, certInfo: { country: 'US' } },
    });
    await env.stack.clients.iot.send(
      new UpdateCACertificateCommand({ certificateId: caId, newStatus: 'INACTIVE' }),
    );
    const task = await deliverTask(env.stack, taskId);
    expect(task).toMatchObject({ status: 'FAILED', error: { code: 'CA_NOT_ACTIVE' } });
    expect(await thingExists(env.stack.clients.iot, thingName)).toBe(false);
    expect(await certificatesOfCa(env.stack.clients.iot, caId)).toEqual([]);
  });

  it('a failure after the certificate was registered removes it again', async () => {
    await putTemplate(
      env.stack,
      'create-device-certificate-then-fail',
      certificateTemplate({ createDeviceCertificate: true }, { failAtPolicy: true }),
    );
    const thingName = unique('own-ca-compensated');
    const res = await provisionNow(env.api.url, {
      provisioningTemplateId: 'create-device-certificate-then-fail',
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: { caId: cas.rsaCaId, certInfo: { country: 'US' } },
    });
    expect(res.body).toMatchObject({ code: 'POLICY_NOT_FOUND' });
    const task = await env.stack.services.tasks.require(String(res.body.taskId));
    const made = task.checkpoint.certificate;
    expect(made?.created).toBe(true);
    expect(made?.certificateArn).not.toBe('');
    expect(task.privateKey).toBeUndefined();
    expect(await inIot(env.stack.clients.iot, made?.certificatePem ?? '')).toBe(false);
    expect(await thingExists(env.stack.clients.iot, thingName)).toBe(false);
  });

  const request = (thingName: string) => ({
    provisioningTemplateId: TEMPLATE,
    parameters: { ThingName: thingName },
    cdfProvisioningParameters: { caId: cas.ecCaId, certInfo: { country: 'US', commonName: thingName } },
  });
  it.each([
    ['after making the certificate and key, before registering it', 'before'],
    ['after registering, before recording that', 'after'],
  ] as const)('a worker that died %s is resumed: one certificate, the same key', async (_, when) => {
    const thingName = unique('own-ca-redelivered');
    const body = request(thingName);
    const taskId = await recordTask(env.stack, body);
    const before = (await certificatesOfCa(env.stack.clients.iot, cas.ecCaId)).length;
    const dead = await dieDuring(env.stack, taskId, { operation: 'RegisterCertificate', when });
    const made = dead.checkpoint.certificate;
    expect(made?.certificatePem).toContain('BEGIN CERTIFICATE');

    const task = await deliverTask(env.stack, taskId);
    expect(task.status).toBe('SUCCEEDED');
    expect(task.checkpoint.certificate?.certificatePem).toBe(made?.certificatePem);
    expect(task.privateKey).toEqual(dead.privateKey);
    const key = await env.stack.services.secrets.open(
      task.privateKey ?? dead.privateKey ?? noSealedKey(),
      taskId,
    );
    expect(privateKeyMatchesCertificate(key, made?.certificatePem ?? '')).toBe(true);
    expect(await certificatesOfCa(env.stack.clients.iot, cas.ecCaId)).toHaveLength(before + 1);
    expect(await principalsOf(env.stack.clients.iot, thingName)).toEqual([
      task.checkpoint.certificate?.certificateArn,
    ]);
    expect(task.checkpoint.certificate?.created).toBe(true);
    expect(await inIot(env.stack.clients.iot, made?.certificatePem ?? '')).toBe(true);
    const view = await http(env.api.url, 'GET', `/provisioningtasks/${taskId}`);
    expectChainOf(view.body.certificateChainPem, made?.certificatePem ?? '', caPem.ec);
  });
});
