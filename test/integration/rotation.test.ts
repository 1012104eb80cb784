import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  AttachThingPrincipalCommand,
  CreateThingCommand,
  DeletePolicyCommand,
  DescribeCertificateCommand,
  DetachPolicyCommand,
} from '@aws-sdk/client-iot';
import { X509Certificate } from 'node:crypto';
import { bootstrapSampleCas, type SampleCas } from '../../infra/bootstrap-ca.js';
import { privateKeyMatchesCertificate } from '../../src/certificates/index.js';
import { caPemOf, certificatesOfCa } from '../support/certificate-modes.js';
import { request, type JsonResponse } from '../support/http.js';
import { certificateStatus, principalsOf, resourceExists } from '../support/iot-registry.js';
import { unique } from '../support/names.js';
import { deviceByHand, policiesOf, recordRotation } from '../support/rotation.js';
import { useStack } from '../support/stack.js';
import { deliverTask } from '../support/tasks.js';
import { waitFor } from '../support/wait.js';
import { makeCsr, opensslVerify, selfSigned } from '../unit/certificates/fixtures.js';

// The lifecycle timer ticks every second, so a retirement due after a short grace period is soon made.
const env = useStack({ env: { LIFECYCLE_TICK_SECONDS: '1' }, api: true, workers: true });
let cas: SampleCas;

beforeAll(async () => {
  cas = await bootstrapSampleCas(env.stack.clients, env.stack.config);
});

const rotate = (thingName: string, body: unknown, headers: Record<string, string> = {}) =>
  request(env.api.url, 'POST', `/things/${thingName}/certificates/rotations`, {
    body,
    headers: { prefer: 'wait=20', ...headers },
  });

const iot = () => env.stack.clients.iot;
const idOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
const newCertificateOf = (res: JsonResponse) =>
  idOf(String((res.body.resourceArns as Record<string, string>).certificate));

/** The rotation made one new ACTIVE certificate with the old one's policies, both attached to the thing. */
async function expectRotated(
  thingName: string,
  old: { certificateArn: string; policyName: string },
  res: JsonResponse,
): Promise<string> {
  expect(res.status).toBe(201);
  const certificateId = newCertificateOf(res);
  const arn = String((res.body.resourceArns as Record<string, string>).certificate);
  expect((await principalsOf(iot(), thingName)).sort()).toEqual([old.certificateArn, arn].sort());
  expect(await certificateStatus(iot(), certificateId)).toBe('ACTIVE');
  expect(await certificateStatus(iot(), idOf(old.certificateArn))).toBe('ACTIVE');
  expect(await policiesOf(iot(), arn)).toEqual([old.policyName]);
  expect(res.body.certificatePem).toBe(
    (await iot().send(new DescribeCertificateCommand({ certificateId }))).certificateDescription
      ?.certificatePem,
  );
  return certificateId;
}

describe('rotating one device, in every certificate mode', () => {
  it('aws: AWS IoT makes the key and certificate; the old one is kept (never)', async () => {
    const thingName = unique('rot-aws');
    const old = await deviceByHand(iot(), thingName);
    const res = await rotate(thingName, { mode: 'aws', retireOldCertificate: 'never' });
    await expectRotated(thingName, old, res);
    expect(privateKeyMatchesCertificate(String(res.body.privateKey), String(res.body.certificatePem))).toBe(
      true,
    );
    expect(res.body.rotation).toEqual({
      replacedCertificateId: old.certificateId,
      retirement: { status: 'KEPT' },
    });
  });

  it('own-ca: signed by the CA named, with an EC key the service makes', async () => {
    const thingName = unique('rot-own');
    const old = await deviceByHand(iot(), thingName);
    const res = await rotate(thingName, {
      mode: 'own-ca',
      cdfProvisioningParameters: {
        caId: cas.ecCaId,
        keyAlgorithm: 'EC-P256',
        certInfo: { country: 'US', commonName: thingName },
      },
      retireOldCertificate: 'never',
    });
    await expectRotated(thingName, old, res);
    const pem = String(res.body.certificatePem);
    expect(opensslVerify(await caPemOf(iot(), cas.ecCaId), pem)).toContain('OK');
    expect(new X509Certificate(pem).subject).toContain(`CN=${thingName}`);
    expect(privateKeyMatchesCertificate(String(res.body.privateKey), pem)).toBe(true);
  });

  it('acm-pca: issued by the PCA and registered with its AWS IoT CA', async () => {
    const thingName = unique('rot-pca');
    const old = await deviceByHand(iot(), thingName);
    const res = await rotate(thingName, {
      mode: 'acm-pca',
      cdfProvisioningParameters: {
        acmpcaCaAlias: 'myalias1',
        awsiotCaAlias: 'myalias2',
        certInfo: { country: 'US', commonName: thingName },
      },
      retireOldCertificate: 'never',
    });
    await expectRotated(thingName, old, res);
    const arn = String((res.body.resourceArns as Record<string, string>).certificate);
    expect(await certificatesOfCa(iot(), cas.pcaIotCaArn.split('/').pop() ?? '')).toContain(arn);
    expect(privateKeyMatchesCertificate(String(res.body.privateKey), String(res.body.certificatePem))).toBe(
      true,
    );
  });

  it("aws-csr: AWS IoT signs the device's CSR; no key is returned", async () => {
    const thingName = unique('rot-csr');
    const old = await deviceByHand(iot(), thingName);
    const { csrPem } = makeCsr('ec:prime256v1', `/C=US/CN=${thingName}`);
    const res = await rotate(thingName, {
      mode: 'aws-csr',
      cdfProvisioningParameters: { csr: csrPem },
      retireOldCertificate: 'never',
    });
    await expectRotated(thingName, old, res);
    expect(res.body.privateKey).toBeUndefined();
  });

  it("registered: the device's own certificate is registered without a CA, ACTIVE", async () => {
    const thingName = unique('rot-pem');
    const old = await deviceByHand(iot(), thingName);
    const { certificatePem } = selfSigned({
      key: 'ec:prime256v1',
      subject: `/C=US/CN=${thingName}`,
      extensions: [],
    });
    const res = await rotate(thingName, {
      mode: 'registered',
      cdfProvisioningParameters: { certificatePem },
      retireOldCertificate: 'never',
    });
    await expectRotated(thingName, old, res);
    expect(res.body.privateKey).toBeUndefined();
  });
});

describe('refusals', () => {
  it('a certificate the service does not know and no mode: 400 naming the field to send', async () => {
    const thingName = unique('rot-unknown');
    await deviceByHand(iot(), thingName);
    const res = await rotate(thingName, {});
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'ROTATION_MODE_REQUIRED' });
    expect(String(res.body.message)).toContain('send mode');
  });

  it('several ACTIVE certificates and none named: 409 listing them; naming one works', async () => {
    const thingName = unique('rot-two');
    const old = await deviceByHand(iot(), thingName);
    const first = await rotate(thingName, { mode: 'aws', retireOldCertificate: 'never' });
    expect(first.status).toBe(201);
    const res = await rotate(thingName, { mode: 'aws' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'CURRENT_CERTIFICATE_AMBIGUOUS' });
    expect(String(res.body.message)).toContain(old.certificateId);
    const named = await rotate(thingName, {
      mode: 'aws',
      certificateId: newCertificateOf(first),
      retireOldCertificate: 'never',
    });
    expect(named.status).toBe(201);
    expect(named.body.rotation).toMatchObject({ replacedCertificateId: newCertificateOf(first) });
  });

  it('an unknown thing is a 404; a mode given parameters it does not use is a 400', async () => {
    expect((await rotate(unique('rot-none'), { mode: 'aws' })).status).toBe(404);
    const thingName = unique('rot-unused');
    await deviceByHand(iot(), thingName);
    const res = await rotate(thingName, { mode: 'aws', cdfProvisioningParameters: { caId: cas.rsaCaId } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'ROTATION_PARAMETER_UNUSED' });
  });
});

describe('exactly one new certificate, and none left behind', () => {
  it('the same Idempotency-Key twice makes one certificate and answers the same task', async () => {
    const thingName = unique('rot-idem');
    const old = await deviceByHand(iot(), thingName);
    const headers = { 'idempotency-key': unique('rotation') };
    const body = { mode: 'aws', retireOldCertificate: 'never' };
    const first = await rotate(thingName, body, headers);
    await expectRotated(thingName, old, first);
    // The thing now has two ACTIVE certificates: the retry is answered the first task, not refused.
    const second = await rotate(thingName, body, headers);
    expect(second.status).toBe(201);
    expect(second.body.taskId).toBe(first.body.taskId);
    expect(newCertificateOf(second)).toBe(newCertificateOf(first));
    expect(await principalsOf(iot(), thingName)).toHaveLength(2);
    const other = await rotate(thingName, { ...body, mode: 'own-ca' }, headers);
    expect(other.status).toBe(409);
  });

  it('a redelivered rotation message makes one certificate', async () => {
    const thingName = unique('rot-redeliver');
    const old = await deviceByHand(iot(), thingName);
    const taskId = await recordRotation(env.stack, thingName, { mode: 'aws', retireOldCertificate: 'never' });
    const first = await deliverTask(env.stack, taskId);
    const second = await deliverTask(env.stack, taskId);
    expect(second.status).toBe('SUCCEEDED');
    expect(second.checkpoint.certificate?.certificateId).toBe(first.checkpoint.certificate?.certificateId);
    const principals = await principalsOf(iot(), thingName);
    expect(principals.sort()).toEqual(
      [old.certificateArn, first.checkpoint.certificate?.certificateArn].sort(),
    );
  });

  it('a failure after the new certificate exists removes it and leaves the old ACTIVE and attached', async () => {
    const thingName = unique('rot-fail');
    const old = await deviceByHand(iot(), thingName);
    const taskId = await recordRotation(env.stack, thingName, { mode: 'aws', retireOldCertificate: 'now' });
    // The old certificate's policy goes away after the rotation was accepted: attaching it fails.
    await iot().send(new DetachPolicyCommand({ policyName: old.policyName, target: old.certificateArn }));
    await iot().send(new DeletePolicyCommand({ policyName: old.policyName }));

    const task = await deliverTask(env.stack, taskId);
    expect(task.status).toBe('FAILED');
    expect(task.error).toMatchObject({ code: 'POLICY_NOT_FOUND' });
    const made = task.checkpoint.certificate?.certificateId ?? '';
    expect(made).not.toBe('');
    expect(
      await resourceExists(() => iot().send(new DescribeCertificateCommand({ certificateId: made }))),
    ).toBe(false);
    expect(await principalsOf(iot(), thingName)).toEqual([old.certificateArn]);
    expect(await certificateStatus(iot(), old.certificateId)).toBe('ACTIVE');
  });
});

describe('defaults from the inventory, and retiring the old certificate', () => {
  it("own-ca by default: the replaced certificate's CA and subject; retired now: detached and INACTIVE", async () => {
    const thingName = unique('rot-default');
    const provisioned = await request(env.api.url, 'POST', '/things', {
      body: {
        provisioningTemplateId: 'create-device-certificate',
        parameters: { ThingName: thingName },
        cdfProvisioningParameters: {
          caId: cas.rsaCaId,
          certInfo: { country: 'US', organization: 'Acme', commonName: thingName },
        },
      },
      headers: { prefer: 'wait=20' },
    });
    expect(provisioned.status).toBe(201);
    const oldArn = String((provisioned.body.resourceArns as Record<string, string>).certificate);

    const res = await rotate(thingName, { retireOldCertificate: 'now' });
    expect(res.status).toBe(201);
    const pem = String(res.body.certificatePem);
    expect(opensslVerify(await caPemOf(iot(), cas.rsaCaId), pem)).toContain('OK');
    expect(new X509Certificate(pem).subject).toBe(
      new X509Certificate(String(provisioned.body.certificatePem)).subject,
    );
    const newArn = String((res.body.resourceArns as Record<string, string>).certificate);
    expect(await principalsOf(iot(), thingName)).toEqual([newArn]);
    expect(await policiesOf(iot(), newArn)).toEqual(['sample-device-policy']);
    expect(await certificateStatus(iot(), idOf(newArn))).toBe('ACTIVE');
    expect(await certificateStatus(iot(), idOf(oldArn))).toBe('INACTIVE');
    expect(res.body.rotation).toMatchObject({
      replacedCertificateId: idOf(oldArn),
      retirement: { status: 'RETIRED' },
    });
    // The new certificate is in the inventory as its own-CA certificate, so the next rotation defaults the same way.
    expect(await env.stack.services.lifecycle.inventory.get(idOf(newArn))).toMatchObject({
      mode: 'own-ca',
      caId: cas.rsaCaId,
      thingName,
    });
  });

  it('retired after a grace period: scheduled, then retired by the lifecycle tick', async () => {
    const thingName = unique('rot-grace');
    const old = await deviceByHand(iot(), thingName);
    const res = await rotate(thingName, { mode: 'aws', retireOldCertificate: { afterSeconds: 1 } });
    expect(res.status).toBe(201);
    const newArn = String((res.body.resourceArns as Record<string, string>).certificate);
    expect(res.body.rotation).toMatchObject({ retirement: { status: 'SCHEDULED' } });
    await waitFor(
      'the old certificate retired',
      () => certificateStatus(iot(), old.certificateId),
      (status) => status === 'INACTIVE',
    );
    await waitFor(
      'the old certificate detached',
      () => principalsOf(iot(), thingName),
      (principals) => principals.length === 1,
    );
    expect(await principalsOf(iot(), thingName)).toEqual([newArn]);
    expect(await certificateStatus(iot(), idOf(newArn))).toBe('ACTIVE');
  });

  it('a certificate another thing also uses is not retired: the rotation succeeds, its retirement BLOCKED', async () => {
    const thingName = unique('rot-shared');
    const old = await deviceByHand(iot(), thingName);
    const other = unique('rot-shared-other');
    await iot().send(new CreateThingCommand({ thingName: other }));
    await iot().send(new AttachThingPrincipalCommand({ thingName: other, principal: old.certificateArn }));
    const res = await rotate(thingName, { mode: 'aws', retireOldCertificate: 'now' });
    await expectRotated(thingName, old, res);
    expect(res.body.rotation).toMatchObject({
      retirement: { status: 'BLOCKED', code: 'CERTIFICATE_SHARED' },
    });
    expect(await principalsOf(iot(), other)).toEqual([old.certificateArn]);
  });
});
