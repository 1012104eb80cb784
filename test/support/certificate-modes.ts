/**
 * Shared by the certificate-modes integration tests: templates, CAs of the tests' own, the seed
 * API's examples, and questions to the emulated registry about certificates.
 */
import {
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  GetRegistrationCodeCommand,
  ListCertificatesByCACommand,
  RegisterCACertificateCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { expect } from '@jest/globals';
import { createHash, X509Certificate } from 'node:crypto';
import {
  generateDeviceKeyPair,
  issueDeviceCertificate,
  loadCaSigner,
  type DeviceKeyAlgorithm,
} from '../../src/certificates/index.js';
import { CaStore } from '../../src/provisioning/ca/ca-store.js';
import { createSelfSignedCa } from '../../src/provisioning/ca/self-signed-ca.js';
import type { JsonResponse } from './http.js';
import { resourceExists } from './iot-registry.js';
import { unique } from './names.js';
import type { TestStack } from './stack.js';

/**
 * A template with a thing and the certificate its CDF block makes (through the CertificateId
 * parameter). With `failAtPolicy` it also needs a policy that does not exist, so its tasks fail
 * once the certificate is made.
 */
export const certificateTemplate = (
  cdf: Record<string, unknown>,
  options: { failAtPolicy?: boolean } = {},
) => ({
  Parameters: { ThingName: { Type: 'String' }, CertificateId: { Type: 'String' } },
  Resources: {
    thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } },
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: 'CertificateId' } },
    },
    ...(options.failAtPolicy === true
      ? { missing: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: unique('no-such-policy') } } }
      : {}),
  },
  CDF: cdf,
});

/** A CA store of the test's own on the stack's clients, so a dead worker signs like the real one. */
export const caStoreOf = (stack: TestStack) =>
  new CaStore(stack.clients.iot, stack.clients.ssm, {
    keyParameterPattern: 'cdf-ca-key-{caId}',
    cacheSeconds: 0,
  });

/** For `task.privateKey ?? dead.privateKey ?? noSealedKey()`: a resumed task must have a key. */
export function noSealedKey(): never {
  throw new Error('expected a sealed private key');
}

/** The ARN of the certificate a ProvisionResponse names ('' when it names none). */
export const certificateArnOf = (res: JsonResponse) =>
  (res.body.resourceArns as Record<string, string>).certificate ?? '';

/** A request refused at submit: 400 with `code`, and a message that says `reason`. */
export function expectRefused(res: JsonResponse, code: string, reason: RegExp | string): void {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ code });
  expect(String(res.body.message)).toMatch(reason);
}

/**
 * Whether AWS IoT holds this certificate. AWS names it by the SHA-256 of its DER; moto by the
 * SHA-256 of the PEM text as sent, so both are asked.
 */
export async function inIot(iot: IoTClient, pem: string): Promise<boolean> {
  const der = createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
  const text = [pem, pem.trim(), `${pem.trim()}\n`].map((p) => createHash('sha256').update(p).digest('hex'));
  for (const certificateId of new Set([der, ...text])) {
    if (await resourceExists(() => iot.send(new DescribeCertificateCommand({ certificateId })))) return true;
  }
  return false;
}

export async function certificatesOfCa(iot: IoTClient, caCertificateId: string): Promise<string[]> {
  const out = await iot.send(new ListCertificatesByCACommand({ caCertificateId, pageSize: 250 }));
  return (out.certificates ?? []).map((c) => c.certificateArn ?? '');
}

export async function caPemOf(iot: IoTClient, caId: string): Promise<string> {
  const out = await iot.send(new DescribeCACertificateCommand({ certificateId: caId }));
  return out.certificateDescription?.certificatePem ?? '';
}

/** A CA of the test's own, registered with AWS IoT; its key goes to SSM only when asked. */
export async function makeCa(
  stack: TestStack,
  algorithm: DeviceKeyAlgorithm,
  options: { storeKey: boolean; active: boolean; days?: number },
): Promise<{ caId: string; pem: string }> {
  const key = await generateDeviceKeyPair(algorithm);
  const pem = createSelfSignedCa(
    key.privateKeyPem,
    { country: 'DE', organization: 'Test', commonName: unique('test-ca') },
    { days: options.days ?? 30 },
  );
  const code = (await stack.clients.iot.send(new GetRegistrationCodeCommand({}))).registrationCode ?? '';
  const verification = issueDeviceCertificate(loadCaSigner(pem, key.privateKeyPem), {
    publicKey: (await generateDeviceKeyPair('EC-P256')).publicKeyPem,
    subject: { country: 'DE', commonName: code },
    days: 1,
  });
  const out = await stack.clients.iot.send(
    new RegisterCACertificateCommand({
      caCertificate: pem,
      verificationCertificate: verification,
      setAsActive: options.active,
    }),
  );
  const caId = out.certificateId ?? '';
  if (options.storeKey) {
    await stack.clients.ssm.send(
      new PutParameterCommand({
        Name: stack.config.certificates.caKeyParameterPattern.replaceAll('{caId}', caId),
        Type: 'SecureString',
        Value: key.privateKeyPem,
      }),
    );
  }
  return { caId, pem };
}

/** The seed API's example certificate: MD5 with RSA, a 512-bit key, expired in 2005. */
export const SEED_CERTIFICATE =
  '-----BEGIN CERTIFICATE-----\nMIICUTCCAfugAwIBAgIBADANBgkqhkiG9w0BAQQFADBXMQswCQYDVQQGEwJDTjEL\nMAkGA1UECBMCUE4xCzAJBgNVBAcTAkNOMQswCQYDVQQKEwJPTjELMAkGA1UECxMC\nVU4xFDASBgNVBAMTC0hlcm9uZyBZYW5nMB4XDTA1MDcxNTIxMTk0N1oXDTA1MDgx\nNDIxMTk0N1owVzELMAkGA1UEBhMCQ04xCzAJBgNVBAgTAlBOMQswCQYDVQQHEwJD\nTjELMAkGA1UEChMCT04xCzAJBgNVBAsTAlVOMRQwEgYDVQQDEwtIZXJvbmcgWWFu\nZzBcMA0GCSqGSIb3DQEBAQUAA0sAMEgCQQCp5hnG7ogBhtlynpOS21cBewKE/B7j\nV14qeyslnr26xZUsSVko36ZnhiaO/zbMOoRcKK9vEcgMtcLFuQTWDl3RAgMBAAGj\ngbEwga4wHQYDVR0OBBYEFFXI70krXeQDxZgbaCQoR4jUDncEMH8GA1UdIwR4MHaA\nFFXI70krXeQDxZgbaCQoR4jUDncEoVukWTBXMQswCQYDVQQGEwJDTjELMAkGA1UE\nCBMCUE4xCzAJBgNVBAcTAkNOMQswCQYDVQQKEwJPTjELMAkGA1UECxMCVU4xFDAS\nBgNVBAMTC0hlcm9uZyBZYW5nggEAMAwGA1UdEwQFMAMBAf8wDQYJKoZIhvcNAQEE\nBQADQQA/ugzBrjjK9jcWnDVfGHlk3icNRq0oV7Ri32z/+HQX67aRfgZu7KWdI+Ju\nWm7DCfrPNGVwFWUQOmsPue9rZBgO\n-----END CERTIFICATE-----';

/** The seed API's example CSR (example.digicert.com, RSA-2048). */
export const SEED_CSR =
  '-----BEGIN CERTIFICATE REQUEST-----\nMIICvDCCAaQCAQAwdzELMAkGA1UEBhMCVVMxDTALBgNVBAgMBFV0YWgxDzANBgNV\nBAcMBkxpbmRvbjEWMBQGA1UECgwNRGlnaUNlcnQgSW5jLjERMA8GA1UECwwIRGln\naUNlcnQxHTAbBgNVBAMMFGV4YW1wbGUuZGlnaWNlcnQuY29tMIIBIjANBgkqhkiG\n9w0BAQEFAAOCAQ8AMIIBCgKCAQEA8+To7d+2kPWeBv/orU3LVbJwDrSQbeKamCmo\nwp5bqDxIwV20zqRb7APUOKYoVEFFOEQs6T6gImnIolhbiH6m4zgZ/CPvWBOkZc+c\n1Po2EmvBz+AD5sBdT5kzGQA6NbWyZGldxRthNLOs1efOhdnWFuhI162qmcflgpiI\nWDuwq4C9f+YkeJhNn9dF5+owm8cOQmDrV8NNdiTqin8q3qYAHHJRW28glJUCZkTZ\nwIaSR6crBQ8TbYNE0dc+Caa3DOIkz1EOsHWzTx+n0zKfqcbgXi4DJx+C1bjptYPR\nBPZL8DAeWuA8ebudVT44yEp82G96/Ggcf7F33xMxe0yc+Xa6owIDAQABoAAwDQYJ\nKoZIhvcNAQEFBQADggEBAB0kcrFccSmFDmxox0Ne01UIqSsDqHgL+XmHTXJwre6D\nhJSZwbvEtOK0G3+dr4Fs11WuUNt5qcLsx5a8uk4G6AKHMzuhLsJ7XZjgmQXGECpY\nQ4mC3yT3ZoCGpIXbw+iP3lmEEXgaQL0Tx5LFl/okKbKYwIqNiyKWOMj7ZR/wxWg/\nZDGRs55xuoeLDJ/ZRFf9bI+IaCUd1YrfYcHIl3G87Av+r49YVwqRDT0VDV7uLgqn\n29XI1PpVUNCPQGn9p/eX6Qo7vpDaPybRtA2R7XLKjQaF9oXWeCUqy1hvJac9QFO2\n97Ob1alpHPoZ7mWiEuJwjBPii6a9M9G30nUo39lBi1w=\n-----END CERTIFICATE REQUEST-----\n';

/**
 * Checks a result's `certificateChainPem` with node:crypto alone: the first certificate issued the
 * device certificate (`checkIssued`) and its key verifies the signature; each further one issued
 * and signed the one before. `issuerPem`, when given, must be the first. Answers the chain's
 * certificates, issuing CA first.
 */
export function expectChainOf(
  chainPem: unknown,
  certificatePem: string,
  issuerPem?: string,
): X509Certificate[] {
  expect(typeof chainPem).toBe('string');
  const chain = (
    String(chainPem).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  ).map((pem) => new X509Certificate(pem));
  expect(chain.length).toBeGreaterThan(0);
  let signed = new X509Certificate(certificatePem);
  for (const issuer of chain) {
    expect(signed.checkIssued(issuer)).toBe(true);
    expect(signed.verify(issuer.publicKey)).toBe(true);
    signed = issuer;
  }
  if (issuerPem !== undefined) expect(chain[0]?.raw.equals(new X509Certificate(issuerPem).raw)).toBe(true);
  return chain;
}
