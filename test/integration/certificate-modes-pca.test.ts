import { beforeAll, describe, expect, it } from '@jest/globals';
import { GetCertificateAuthorityCertificateCommand, GetCertificateCommand } from '@aws-sdk/client-acm-pca';
import { X509Certificate } from 'node:crypto';
import { bootstrapSampleCas, type SampleCas } from '../../infra/bootstrap-ca.js';
import { privateKeyMatchesCertificate, readCertificate } from '../../src/certificates/index.js';
import { IotCaCertificates } from '../../src/provisioning/ca/ca-certificates.js';
import { acmPcaRun } from '../../src/provisioning/certificate-modes/acm-pca/run.js';
import { PcaDirectory } from '../../src/provisioning/ca/pca-directory.js';
import type { ProvisionRequest } from '../../src/tasks/request.js';
import {
  certificateArnOf,
  certificatesOfCa,
  expectChainOf,
  expectRefused,
  inIot,
  noSealedKey,
  SEED_CSR,
} from '../support/certificate-modes.js';
import { dieDuring, type DeathPoint, type Dying } from '../support/crashed-worker.js';
import { provisionNow, request as http } from '../support/http.js';
import { principalsOf, thingExists } from '../support/iot-registry.js';
import { unique } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { deliverTask, recordTask } from '../support/tasks.js';
import { makeCsr, opensslVerify, tampered } from '../unit/certificates/fixtures.js';

const env = useStack({ api: true, workers: true });
let cas: SampleCas;
let pcaCertificatePem: string;

const WITH_CA = 'acmpca-with-ca';
const WITHOUT_CA = 'acmpca-without-ca';

beforeAll(async () => {
  const { stack } = env;
  cas = await bootstrapSampleCas(stack.clients, stack.config);
  const ca = await stack.clients.acmpca.send(
    new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: cas.pcaArn }),
  );
  pcaCertificatePem = ca.Certificate ?? '';
});

const pcaIotCaId = () => cas.pcaIotCaArn.split('/').pop() ?? '';

describe('ACM PCA, end to end', () => {
  it('REGISTER_WITHOUT_CA with no CSR: makes the key and CSR, and returns the key', async () => {
    const thingName = unique('pca-own-key');
    const res = await provisionNow(env.api.url, {
      provisioningTemplateId: WITHOUT_CA,
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: {
        acmpcaCaAlias: 'myalias',
        keyAlgorithm: 'EC-P256',
        certInfo: { country: 'US', organization: 'Acme', commonName: thingName },
      },
    });
    expect(res.status).toBe(201);
    const certificatePem = String(res.body.certificatePem);
    const privateKey = String(res.body.privateKey);
    expect(privateKeyMatchesCertificate(privateKey, certificatePem)).toBe(true);
    expect(readCertificate(certificatePem).key.family).toBe('EC');
    expect(new X509Certificate(certificatePem).subject.split('\n')).toEqual([
      'C=US',
      'O=Acme',
      `CN=${thingName}`,
    ]);
    // moto's PCA ignores the requested validity (it always gives 365 days), so it is not asserted.
    expect(opensslVerify(pcaCertificatePem, certificatePem, false)).toContain('OK');
    // ACM PCA's chain for the certificate (here its root CA alone), issuing CA first.
    expectChainOf(res.body.certificateChainPem, certificatePem, pcaCertificatePem);
    const arn = certificateArnOf(res);
    expect(await principalsOf(env.stack.clients.iot, thingName)).toEqual([arn]);
    expect(await certificatesOfCa(env.stack.clients.iot, pcaIotCaId())).not.toContain(arn);
  });

  it.each([
    [
      'an RSA CSR, by aliases (acmpca* spelling)',
      'rsa:2048',
      { acmpcaCaAlias: 'myalias1', awsiotCaAlias: 'myalias2' },
    ],
    ['an EC CSR, by ARNs (amcpca* spelling)', 'ec:P-256', { amcpcaCaArn: 'PCA', awsiotCaArn: 'IOT' }],
  ] as const)(
    'REGISTER_WITH_CA with %s: registered under the AWS IoT CA, no key returned',
    async (_, key, names) => {
      const thingName = unique('pca-with-ca');
      const { csrPem, privateKeyPem } = makeCsr(key, `/C=US/O=Device Maker/CN=${thingName}`);
      const resolved = Object.fromEntries(
        Object.entries(names).map(([k, v]) => [
          k,
          v === 'PCA' ? cas.pcaArn : v === 'IOT' ? cas.pcaIotCaArn : v,
        ]),
      );
      const res = await provisionNow(env.api.url, {
        provisioningTemplateId: WITH_CA,
        parameters: { ThingName: thingName },
        cdfProvisioningParameters: { ...resolved, csr: csrPem, certInfo: { country: 'US' } },
      });
      expect(res.status).toBe(201);
      const certificatePem = String(res.body.certificatePem);
      expect(res.body.privateKey).toBeUndefined();
      expect(privateKeyMatchesCertificate(privateKeyPem, certificatePem)).toBe(true);
      expect(opensslVerify(pcaCertificatePem, certificatePem, false)).toContain('OK');
      expectChainOf(res.body.certificateChainPem, certificatePem, pcaCertificatePem);
      // The PCA gives the CSR's subject.
      expect(new X509Certificate(certificatePem).subject).toContain(`CN=${thingName}`);
      const arn = certificateArnOf(res);
      expect(await certificatesOfCa(env.stack.clients.iot, pcaIotCaId())).toContain(arn);
      expect(await principalsOf(env.stack.clients.iot, thingName)).toEqual([arn]);
    },
  );
});

describe('ACM PCA, refused at submit with a reason', () => {
  const submit = (template: string, cdfProvisioningParameters: Record<string, unknown>) =>
    provisionNow(env.api.url, {
      provisioningTemplateId: template,
      parameters: { ThingName: unique('pca-refused') },
      cdfProvisioningParameters,
    });

  it.each([
    ['acmpca_without_ca', WITHOUT_CA, { acmpcaCaAlias: 'myalias' }],
    ['acmpca_with_ca', WITH_CA, { acmpcaCaAlias: 'myalias1', awsiotCaAlias: 'myalias2' }],
  ])("the seed's %s example: its CSR is signed with SHA-1", async (_, template, names) => {
    const res = await submit(template, { ...names, csr: SEED_CSR, certInfo: { country: 'US' } });
    expectRefused(res, 'CERTIFICATE_ALGORITHM_UNSUPPORTED', 'sha1WithRSAEncryption');
  });

  it.each<[string, string, () => Record<string, unknown>, string, RegExp]>([
    [
      'an unknown PCA alias',
      WITHOUT_CA,
      () => ({ acmpcaCaAlias: 'nope', certInfo: { country: 'US' } }),
      'CA_ALIAS_UNKNOWN',
      /PCA_NOPE/,
    ],
    [
      'an unknown AWS IoT CA alias',
      WITH_CA,
      () => ({ acmpcaCaAlias: 'myalias1', awsiotCaAlias: 'other', certInfo: { country: 'US' } }),
      'CA_ALIAS_UNKNOWN',
      /CA_OTHER/,
    ],
    ['no CA at all', WITHOUT_CA, () => ({ certInfo: { country: 'US' } }), 'CA_REQUIRED', /acmpcaCaArn/],
    [
      'REGISTER_WITH_CA without the AWS IoT CA',
      WITH_CA,
      () => ({ acmpcaCaAlias: 'myalias1', certInfo: { country: 'US' } }),
      'CA_REQUIRED',
      /awsiotCaArn/,
    ],
    [
      'an ARN that is not a PCA ARN',
      WITHOUT_CA,
      () => ({ acmpcaCaArn: cas.pcaIotCaArn, certInfo: { country: 'US' } }),
      'CA_ARN_INVALID',
      /not an ACM PCA/,
    ],
    [
      'a PCA that does not exist',
      WITHOUT_CA,
      () => ({
        acmpcaCaArn:
          'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/00000000-0000-0000-0000-000000000000',
        certInfo: { country: 'US' },
      }),
      'PCA_NOT_FOUND',
      /00000000/,
    ],
    [
      'two spellings that disagree',
      WITHOUT_CA,
      () => ({ acmpcaCaAlias: 'myalias', amcpcaCaAlias: 'myalias1', certInfo: { country: 'US' } }),
      'CDF_PARAMETERS_CONFLICT',
      /acmpcaCaAlias and amcpcaCaAlias/,
    ],
    [
      'no certInfo and no CSR',
      WITHOUT_CA,
      () => ({ acmpcaCaAlias: 'myalias' }),
      'CERT_INFO_REQUIRED',
      /certInfo/,
    ],
    [
      'a CSR that is not one',
      WITHOUT_CA,
      () => ({ acmpcaCaAlias: 'myalias', csr: 'not a csr' }),
      'CSR_INVALID',
      /PEM/,
    ],
    [
      'a CSR whose signature does not verify',
      WITHOUT_CA,
      () => ({ acmpcaCaAlias: 'myalias', csr: tampered(makeCsr('rsa:2048').csrPem, 'Device Maker') }),
      'CSR_SIGNATURE_INVALID',
      /signature/,
    ],
  ])('%s', async (_, template, parameters, code, reason) => {
    expectRefused(await submit(template, parameters()), code, reason);
  });
});

describe('ACM PCA in the worker', () => {
  it('an AWS IoT CA that did not issue the PCA certificate fails the task and registers nothing', async () => {
    const thingName = unique('pca-mismatch');
    const res = await provisionNow(env.api.url, {
      provisioningTemplateId: WITH_CA,
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: {
        acmpcaCaArn: cas.pcaArn,
        // Our own RSA sample CA: registered and active, but not the PCA's.
        awsiotCaArn: `arn:aws:iot:us-east-1:123456789012:cacert/${cas.rsaCaId}`,
        certInfo: { country: 'US', commonName: thingName },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'CA_MISMATCH' });
    const task = await env.stack.services.tasks.require(String(res.body.taskId));
    expect(task.status).toBe('FAILED');
    expect(task.privateKey).toBeUndefined();
    expect(await thingExists(env.stack.clients.iot, thingName)).toBe(false);
    const issuedArn = (task.checkpoint.certificate as { pcaCertificateArn?: string } | undefined)
      ?.pcaCertificateArn;
    const issued = await env.stack.clients.acmpca.send(
      new GetCertificateCommand({ CertificateAuthorityArn: cas.pcaArn, CertificateArn: issuedArn }),
    );
    expect(await inIot(env.stack.clients.iot, `${issued.Certificate ?? ''}\n`)).toBe(false);
  });

  const body = (thingName: string): ProvisionRequest => ({
    provisioningTemplateId: WITH_CA,
    parameters: { ThingName: thingName },
    cdfProvisioningParameters: {
      acmpcaCaAlias: 'myalias1',
      awsiotCaAlias: 'myalias2',
      certInfo: { country: 'US', commonName: thingName },
    },
  });
  // The mode's run on an ACM PCA client that dies with the worker.
  const runs = (dying: Dying) => ({
    runs: {
      ...env.stack.services.runs,
      acmpca: acmPcaRun({
        acmpca: dying(env.stack.clients.acmpca),
        pcas: new PcaDirectory(env.stack.clients.acmpca, 0),
        cas: new IotCaCertificates(env.stack.clients.iot, 0),
        chains: env.stack.services.chains,
        config: env.stack.config.certificates,
      }),
    },
  });

  it.each<[string, DeathPoint]>([
    ['after sealing its key, before asking PCA', { operation: 'IssueCertificate', when: 'before' }],
    [
      'after PCA issued the certificate and its ARN was recorded',
      { operation: 'GetCertificate', when: 'before' },
    ],
    ['after registering, before recording that', { operation: 'RegisterCertificate', when: 'after' }],
  ])('a worker that died %s is resumed: one certificate, matching the key', async (_, at) => {
    const thingName = unique('pca-redelivered');
    const request = body(thingName);
    const taskId = await recordTask(env.stack, request);
    const before = (await certificatesOfCa(env.stack.clients.iot, pcaIotCaId())).length;
    const dead = await dieDuring(env.stack, taskId, at, runs);

    const task = await deliverTask(env.stack, taskId);
    expect(task.status).toBe('SUCCEEDED');
    expect(task.privateKey).toEqual(dead.privateKey);
    const key = await env.stack.services.secrets.open(
      task.privateKey ?? dead.privateKey ?? noSealedKey(),
      taskId,
    );
    const certificatePem = task.checkpoint.certificate?.certificatePem ?? '';
    expect(privateKeyMatchesCertificate(key, certificatePem)).toBe(true);
    expect(await certificatesOfCa(env.stack.clients.iot, pcaIotCaId())).toHaveLength(before + 1);
    expect(await principalsOf(env.stack.clients.iot, thingName)).toEqual([
      task.checkpoint.certificate?.certificateArn,
    ]);
    const view = await http(env.api.url, 'GET', `/provisioningtasks/${taskId}`);
    expectChainOf(view.body.certificateChainPem, certificatePem, pcaCertificatePem);
    // Once PCA had issued it, that is the certificate the device gets.
    const issuedArn = (dead.checkpoint.certificate as { pcaCertificateArn?: string } | undefined)
      ?.pcaCertificateArn;
    if (issuedArn !== undefined) {
      const issued = await env.stack.clients.acmpca.send(
        new GetCertificateCommand({ CertificateAuthorityArn: cas.pcaArn, CertificateArn: issuedArn }),
      );
      expect(certificatePem.trim()).toBe(issued.Certificate?.trim());
    }
  });
});
