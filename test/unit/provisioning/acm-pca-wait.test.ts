import { describe, expect, it } from '@jest/globals';
import {
  RequestInProgressException,
  ResourceNotFoundException,
  type ACMPCAClient,
} from '@aws-sdk/client-acm-pca';
import {
  idempotencyTokenFor,
  waitForCertificate,
  type AcmPcaDeps,
} from '../../../src/provisioning/certificate-modes/acm-pca/run.js';
import { PcaDirectory } from '../../../src/provisioning/ca/pca-directory.js';
import { TransientError } from '../../../src/errors.js';

const PCA =
  'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555';
const CERT = `${PCA}/certificate/abc`;
const meta = { $metadata: {} };
const inProgress = () =>
  new RequestInProgressException({ message: 'The request is still in progress', ...meta });
/** ACM PCA has no modelled throttling error: the SDK gives a generic one named ThrottlingException. */
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

/** An ACM PCA client whose answers are scripted, one per call, and which counts the calls. */
function scripted(answers: (() => unknown)[]) {
  let calls = 0;
  const client = {
    send: () => {
      const answer = answers[Math.min(calls++, answers.length - 1)] ?? (() => undefined);
      const value = answer();
      return value instanceof Error ? Promise.reject(value) : Promise.resolve(value);
    },
  } as unknown as ACMPCAClient;
  return { client, calls: () => calls };
}

function deps(client: ACMPCAClient, pcaWaitSeconds: number, slept: number[]): AcmPcaDeps {
  return {
    acmpca: client,
    pcas: undefined as never,
    cas: undefined as never,
    chains: undefined as never,
    config: { deviceCertificateDays: 365, pcaWaitSeconds, pcaAliases: {}, iotCaAliases: {} },
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
  };
}

describe('waiting for ACM PCA to issue', () => {
  it('retries while the certificate is in progress or the call is throttled, backing off', async () => {
    const pca = scripted([
      inProgress,
      throttled,
      inProgress,
      () => ({ Certificate: 'PEM', CertificateChain: 'CHAIN' }),
    ]);
    const slept: number[] = [];
    const issued = await waitForCertificate(deps(pca.client, 30, slept), PCA, CERT);
    expect(issued).toEqual({ certificate: 'PEM\n', chain: 'CHAIN' });
    expect(pca.calls()).toBe(4);
    expect(slept).toEqual([200, 400, 800]);
  });

  it('gives up past PCA_WAIT_SECONDS with a transient error, so the message comes back later', async () => {
    const pca = scripted([inProgress]);
    const error = await waitForCertificate(deps(pca.client, 0, []), PCA, CERT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'PCA_CERTIFICATE_PENDING', kind: 'transient' });
    expect((error as Error).message).toContain(CERT);
  });

  it('does not retry what waiting cannot fix', async () => {
    const pca = scripted([() => new ResourceNotFoundException({ message: 'no such certificate', ...meta })]);
    await expect(waitForCertificate(deps(pca.client, 30, []), PCA, CERT)).rejects.toMatchObject({
      kind: 'not-found',
    });
    expect(pca.calls()).toBe(1);
  });

  it('asks with an idempotency token that is the same for the same task and fits ACM PCA', () => {
    expect(idempotencyTokenFor('task-1')).toBe(idempotencyTokenFor('task-1'));
    expect(idempotencyTokenFor('task-1')).not.toBe(idempotencyTokenFor('task-2'));
    expect(idempotencyTokenFor('bulk:'.padEnd(128, 'x')).length).toBeLessThanOrEqual(36);
  });
});

describe('PcaDirectory', () => {
  const described = (Status: string, KeyAlgorithm: string) => () => ({
    CertificateAuthority: { Arn: PCA, Status, CertificateAuthorityConfiguration: { KeyAlgorithm } },
  });

  it.each([
    ['RSA_2048', 'SHA256WITHRSA'],
    ['RSA_4096', 'SHA256WITHRSA'],
    ['EC_prime256v1', 'SHA256WITHECDSA'],
    ['EC_secp384r1', 'SHA384WITHECDSA'],
  ])('signs for a %s CA with %s', async (keyAlgorithm, signing) => {
    const pca = scripted([described('ACTIVE', keyAlgorithm)]);
    expect(await new PcaDirectory(pca.client, 60).authority(PCA)).toEqual({
      arn: PCA,
      signingAlgorithm: signing,
    });
  });

  it.each([
    ['a CA that is not active', described('DISABLED', 'RSA_2048'), 'PCA_NOT_ACTIVE'],
    ['an SM2 CA', described('ACTIVE', 'SM2'), 'PCA_KEY_ALGORITHM_UNSUPPORTED'],
    ['an unknown CA', () => new ResourceNotFoundException({ message: 'nope', ...meta }), 'PCA_NOT_FOUND'],
  ])('refuses %s', async (_, answer, code) => {
    const pca = scripted([answer]);
    await expect(new PcaDirectory(pca.client, 60).authority(PCA)).rejects.toMatchObject({
      code,
      kind: 'invalid',
    });
  });

  it('describes each CA once while cached', async () => {
    const pca = scripted([described('ACTIVE', 'RSA_2048')]);
    const directory = new PcaDirectory(pca.client, 60);
    await directory.authority(PCA);
    await directory.authority(PCA);
    expect(pca.calls()).toBe(1);
  });
});
