import { describe, expect, it } from '@jest/globals';
import {
  CreatePolicyCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListPoliciesCommand,
  RegisterCertificateWithoutCACommand,
} from '@aws-sdk/client-iot';
import type { ProvisionRequest } from '../../src/tasks/request.js';
import {
  certificateArnOf,
  certificateTemplate,
  expectRefused,
  inIot,
  SEED_CERTIFICATE,
} from '../support/certificate-modes.js';
import { dieDuring } from '../support/crashed-worker.js';
import { provisionNow } from '../support/http.js';
import { certificateStatus, policyExists, principalsOf, thingExists } from '../support/iot-registry.js';
import { unique } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { deliverTask, recordTask } from '../support/tasks.js';
import { putTemplate } from '../support/templates.js';
import { outdated, selfSigned } from '../unit/certificates/fixtures.js';

const env = useStack({ api: true, workers: true });

const REGISTER = 'register-without-ca';
const deviceCertificate = (cn: string) =>
  selfSigned({
    key: 'ec:P-256',
    subject: `/C=US/O=Device Maker/CN=${cn}`,
    days: 30,
    extensions: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'],
  });

const policyDocument = (topic: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'iot:Publish', Resource: `arn:aws:iot:*:*:topic/${topic}` }],
  });

const attachedTo = async (certificateArn: string) => {
  const out = await env.stack.clients.iot.send(new ListAttachedPoliciesCommand({ target: certificateArn }));
  return (out.policies ?? []).map((p) => p.policyName).sort();
};

/** Uploads a new template whose CDF block makes an AWS certificate, with `cdf` added; returns its id. */
async function awsCertificateTemplate(prefix: string, cdf: Record<string, unknown>): Promise<string> {
  const templateId = unique(prefix);
  await putTemplate(env.stack, templateId, certificateTemplate({ createDeviceAWSCertificate: true, ...cdf }));
  return templateId;
}

/** Records the task and plays a worker that died right after `operation` answered. */
async function diedAfter(body: ProvisionRequest, operation: string): Promise<string> {
  const taskId = await recordTask(env.stack, body);
  await dieDuring(env.stack, taskId, { operation, when: 'after' });
  return taskId;
}

describe('registerDeviceCertificateWithoutCA', () => {
  it("registers the caller's certificate with the status it asks for", async () => {
    const thingName = unique('byo');
    const { certificatePem } = deviceCertificate(thingName);
    const res = await provisionNow(env.api.url, {
      provisioningTemplateId: REGISTER,
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: { certificatePem, certificateStatus: 'INACTIVE' },
    });
    expect(res.status).toBe(201);
    expect(res.body.privateKey).toBeUndefined();
    expect(String(res.body.certificatePem).trim()).toBe(certificatePem.trim());
    const arn = certificateArnOf(res);
    expect(await principalsOf(env.stack.clients.iot, thingName)).toEqual([arn]);
    expect(await certificateStatus(env.stack.clients.iot, arn.split('/').pop() ?? '')).toBe('INACTIVE');
  });

  it.each<[string, () => Record<string, unknown>, string, RegExp]>([
    [
      "the seed's example (MD5 with RSA, 512 bits, expired in 2005)",
      () => ({ certificatePem: SEED_CERTIFICATE, certificateStatus: 'ACTIVE' }),
      'CERTIFICATE_ALGORITHM_UNSUPPORTED',
      /md5WithRSAEncryption/,
    ],
    ['garbage', () => ({ certificatePem: 'not a certificate' }), 'CERTIFICATE_PEM_INVALID', /PEM/],
    [
      'an expired certificate',
      () => ({ certificatePem: outdated('20200101000000Z', '20200201000000Z').certificatePem }),
      'CERTIFICATE_EXPIRED',
      /expired at 2020-02-01/,
    ],
    ['no certificate', () => ({ certificateStatus: 'ACTIVE' }), 'CERTIFICATE_PEM_REQUIRED', /certificatePem/],
  ])('refuses %s at submit', async (_, parameters, code, reason) => {
    const res = await provisionNow(env.api.url, {
      provisioningTemplateId: REGISTER,
      parameters: { ThingName: unique('byo-refused') },
      cdfProvisioningParameters: parameters(),
    });
    expectRefused(res, code, reason);
  });

  it('uses a certificate registered before, and a failed task leaves it registered', async () => {
    const thingName = unique('byo-existing');
    const { certificatePem } = deviceCertificate(thingName);
    await env.stack.clients.iot.send(
      new RegisterCertificateWithoutCACommand({ certificatePem, status: 'ACTIVE' }),
    );
    await putTemplate(
      env.stack,
      'register-then-fail',
      certificateTemplate({ registerDeviceCertificateWithoutCA: true }, { failAtPolicy: true }),
    );
    const res = await provisionNow(env.api.url, {
      provisioningTemplateId: 'register-then-fail',
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: { certificatePem },
    });
    expect(res.body).toMatchObject({ code: 'POLICY_NOT_FOUND' });
    expect(await thingExists(env.stack.clients.iot, thingName)).toBe(false);
    expect(await inIot(env.stack.clients.iot, certificatePem)).toBe(true);
  });

  it('a worker that died after registering, before recording it, is resumed: one certificate', async () => {
    const thingName = unique('byo-redelivered');
    const { certificatePem } = deviceCertificate(thingName);
    const body: ProvisionRequest = {
      provisioningTemplateId: REGISTER,
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: { certificatePem },
    };
    const taskId = await diedAfter(body, 'RegisterCertificateWithoutCA');
    const task = await deliverTask(env.stack, taskId);
    expect(task.status).toBe('SUCCEEDED');
    // Registered by this task (its claim recorded the intent), so compensation would remove it.
    expect(task.checkpoint.certificate?.created).toBe(true);
    expect(await principalsOf(env.stack.clients.iot, thingName)).toEqual([
      task.checkpoint.certificate?.certificateArn,
    ]);
  });
});

describe('attachAdditionalPolicies and clientIdMustMatchThingName', () => {
  it('the sample template: creates the policy with a document once, attaches it beside the template policy', async () => {
    const provisionOne = () =>
      provisionNow(env.api.url, {
        provisioningTemplateId: 'additional-policies',
        parameters: { ThingName: unique('extra-policies') },
      });
    const first = await provisionOne();
    const second = await provisionOne();
    for (const res of [first, second]) {
      expect(res.status).toBe(201);
      expect(await attachedTo(certificateArnOf(res))).toEqual([
        'sample-device-policy',
        'sample-telemetry-policy',
      ]);
    }
  });

  it.each([
    ['the array form', (policies: unknown[]) => policies],
    ['the {policies} form', (policies: unknown[]) => ({ policies })],
  ])('%s, with clientIdMustMatchThingName: every policy attached to the certificate', async (_, form) => {
    const created = unique('created.policy');
    const existing = unique('existing-policy');
    const asObject = unique('object-policy');
    await env.stack.clients.iot.send(
      new CreatePolicyCommand({
        policyName: existing,
        policyDocument: policyDocument('existing'),
      }),
    );
    const templateId = await awsCertificateTemplate('policies-template', {
      clientIdMustMatchThingName: true,
      attachAdditionalPolicies: form([
        { name: existing },
        { name: created, document: policyDocument('created') },
        { name: asObject, document: JSON.parse(policyDocument('object')) as object },
      ]),
    });
    const thingName = unique('policies');
    const res = await provisionNow(env.api.url, {
      provisioningTemplateId: templateId,
      parameters: { ThingName: thingName },
    });
    expect(res.status).toBe(201);
    expect(await attachedTo(certificateArnOf(res))).toEqual(
      [asObject, `clientIdEnforcementPolicy_${thingName}`, created, existing].sort(),
    );
    const clientId = await env.stack.clients.iot.send(
      new GetPolicyCommand({ policyName: `clientIdEnforcementPolicy_${thingName}` }),
    );
    expect(JSON.parse(clientId.policyDocument ?? '{}')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'iot:Connect',
          Resource: `arn:aws:iot:us-east-1:123456789012:client/${thingName}`,
        },
      ],
    });
    const made = await env.stack.clients.iot.send(new GetPolicyCommand({ policyName: created }));
    expect(JSON.parse(made.policyDocument ?? '{}')).toEqual(JSON.parse(policyDocument('created')));
  });

  it('a policy that does not exist fails the task, and the policies it created are removed', async () => {
    const created = unique('created-then-removed');
    const templateId = await awsCertificateTemplate('policies-fail', {
      attachAdditionalPolicies: [
        { name: created, document: policyDocument('x') },
        { name: unique('not-there') },
      ],
    });
    const thingName = unique('policies-fail');
    const res = await provisionNow(env.api.url, {
      provisioningTemplateId: templateId,
      parameters: { ThingName: thingName },
    });
    expect(res.body).toMatchObject({ code: 'POLICY_NOT_FOUND' });
    const task = await env.stack.services.tasks.require(String(res.body.taskId));
    expect(task.status).toBe('FAILED');
    expect(await policyExists(env.stack.clients.iot, created)).toBe(false);
    expect(await thingExists(env.stack.clients.iot, thingName)).toBe(false);
    expect(await inIot(env.stack.clients.iot, task.checkpoint.certificate?.certificatePem ?? '')).toBe(false);
  });

  it('a worker that died after creating a policy, before recording it, is resumed: one policy', async () => {
    const created = unique('created-once');
    const templateId = await awsCertificateTemplate('policies-redelivered', {
      attachAdditionalPolicies: [{ name: created, document: policyDocument('y') }],
    });
    const thingName = unique('policies-redelivered');
    const body = { provisioningTemplateId: templateId, parameters: { ThingName: thingName } };
    const taskId = await diedAfter(body, 'CreatePolicy');
    expect(await policyExists(env.stack.clients.iot, created)).toBe(true);

    const task = await deliverTask(env.stack, taskId);
    expect(task.status).toBe('SUCCEEDED');
    // Created by this task (its claim planned it), so compensation would remove it.
    expect(task.checkpoint.policies[`cdf:${created}`]).toMatchObject({ created: true, policyName: created });
    const named = (
      (await env.stack.clients.iot.send(new ListPoliciesCommand({ pageSize: 250 }))).policies ?? []
    ).filter((p) => p.policyName === created);
    expect(named).toHaveLength(1);
    expect(await attachedTo(task.checkpoint.certificate?.certificateArn ?? '')).toEqual([created]);
  });
});
