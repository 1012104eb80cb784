import { beforeAll, describe, expect, it } from '@jest/globals';
import { bootstrapSampleCas, type SampleCas } from '../../infra/bootstrap-ca.js';
import { expectRefused, inIot } from '../support/certificate-modes.js';
import { provisionNow } from '../support/http.js';
import { thingExists } from '../support/iot-registry.js';
import { unique } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { makeCsr, selfSigned, tampered } from '../unit/certificates/fixtures.js';

/**
 * Every certificate mode, and a template's own certificate values, read certificates and CSRs the
 * same strict way: one PEM block and nothing else, a self-signed certificate's signature verified,
 * and no control or bidi characters in what becomes a certificate's subject.
 */
const env = useStack({ api: true, workers: true, templates: ['certificate-pem'] });
let cas: SampleCas;

beforeAll(async () => {
  cas = await bootstrapSampleCas(env.stack.clients, env.stack.config);
});

/** A device's own self-signed certificate, as registerDeviceCertificateWithoutCA takes it. */
const own = () =>
  selfSigned({
    key: 'ec:P-256',
    subject: `/C=US/CN=${unique('byo')}`,
    extensions: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'],
    days: 30,
  }).certificatePem;

describe('registerDeviceCertificateWithoutCA', () => {
  const submit = (certificatePem: string, thingName = unique('strict-byo')) =>
    provisionNow(env.api.url, {
      provisioningTemplateId: 'register-without-ca',
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: { certificatePem, certificateStatus: 'ACTIVE' },
    });

  it('still registers a good self-signed certificate', async () => {
    const res = await submit(own());
    expect(res.status).toBe(201);
  });

  it.each<[string, () => string, string, string]>([
    [
      'a self-signed certificate altered after signing',
      () => tampered(own(), 16),
      'CERTIFICATE_SIGNATURE_INVALID',
      'self-signed',
    ],
    ['two certificates in one field', () => own() + own(), 'CERTIFICATE_PEM_INVALID', 'holds 2 PEM blocks'],
    [
      'trailing garbage',
      () => `${own()}-- exported by tool v2`,
      'CERTIFICATE_PEM_INVALID',
      'text before or after',
    ],
  ])('refuses %s at submit, registering nothing', async (_, pem, code, reason) => {
    const certificatePem = pem();
    const thingName = unique('strict-byo');
    expectRefused(await submit(certificatePem, thingName), code, reason);
    expect(await inIot(env.stack.clients.iot, certificatePem)).toBe(false);
    expect(await thingExists(env.stack.clients.iot, thingName)).toBe(false);
  });
});

describe('ACM PCA', () => {
  const submit = (cdfProvisioningParameters: Record<string, unknown>) =>
    provisionNow(env.api.url, {
      provisioningTemplateId: 'acmpca-without-ca',
      parameters: { ThingName: unique('strict-pca') },
      cdfProvisioningParameters: { acmpcaCaAlias: 'myalias', ...cdfProvisioningParameters },
    });

  it.each<[string, () => string, string, string]>([
    [
      'two CSRs in one field',
      () => makeCsr('ec:P-256').csrPem + makeCsr('ec:P-256').csrPem,
      'CSR_INVALID',
      'holds 2 PEM blocks',
    ],
    [
      'a CSR with trailing garbage',
      () => `${makeCsr('ec:P-256').csrPem}garbage`,
      'CSR_INVALID',
      'text before or after',
    ],
    [
      'a CSR whose subject holds a right-to-left override',
      () => makeCsr('ec:P-256', '/C=US/CN=invoice\u202Efdp.exe').csrPem,
      'CERT_INFO_INVALID',
      "The CSR's subject CN (commonName) must not contain control or bidirectional-formatting characters (found U+202E)",
    ],
  ])('refuses %s at submit, as createDeviceCertificate does', async (_, csr, code, reason) => {
    expectRefused(await submit({ csr: csr() }), code, reason);
    expectRefused(
      await provisionNow(env.api.url, {
        provisioningTemplateId: 'create-device-certificate',
        parameters: { ThingName: unique('strict-own-ca') },
        cdfProvisioningParameters: { caId: cas.ecCaId, csr: csr(), certInfo: { country: 'US' } },
      }),
      code,
      reason,
    );
  });
});

describe('certInfo', () => {
  it.each([
    ['commonName', 'invoice\u202Efdp.exe', 'U+202E'],
    ['organization', 'Acme\u0085Corp', 'U+0085'],
  ])(
    'with %s holding a control or bidi character is refused, naming the field',
    async (field, value, codePoint) => {
      for (const [templateId, cdf] of [
        ['create-device-certificate', { caId: cas.ecCaId }],
        ['acmpca-without-ca', { acmpcaCaAlias: 'myalias' }],
      ] as const) {
        const thingName = unique('strict-subject');
        const res = await provisionNow(env.api.url, {
          provisioningTemplateId: templateId,
          parameters: { ThingName: thingName },
          cdfProvisioningParameters: { ...cdf, certInfo: { country: 'US', [field]: value } },
        });
        expectRefused(
          res,
          'CERT_INFO_INVALID',
          `certInfo.${field} must not contain control or bidirectional-formatting characters (found ${codePoint})`,
        );
        expect(await thingExists(env.stack.clients.iot, thingName)).toBe(false);
      }
    },
  );
});

describe("a template's CertificatePem", () => {
  it('is read as strictly: two certificates are refused before anything is recorded', async () => {
    const thingName = unique('strict-template-pem');
    const res = await provisionNow(env.api.url, {
      provisioningTemplateId: 'certificate-pem',
      parameters: { ThingName: thingName, CertificatePem: own() + own() },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'CERTIFICATE_PEM_INVALID' });
    expect(String(res.body.message)).toContain(
      "Resources.certificate.Properties.CertificatePem (parameter 'CertificatePem' gives it): The certificate holds 2 PEM blocks",
    );
    expect(await thingExists(env.stack.clients.iot, thingName)).toBe(false);
  });
});
