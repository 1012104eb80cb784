import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreatePolicyCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListPoliciesCommand,
  RegisterCertificateWithoutCACommand,
} from '@aws-sdk/client-iot';
import { registerWithoutCaMode } from '../../src/provisioning/certificate-modes/register-without-ca.js';
import { provision } from '../../src/provisioning/provision.js';
import type { CheckpointPatch } from '../../src/provisioning/context.js';
import type { ProvisionRequest } from '../../src/tasks/request.js';
import type { RunningServer } from '../../api/server.js';
import type { RunningWorkers } from '../../workers/start-consumers.js';
import { handleRequestMessage } from '../../workers/handle-request.js';
import { createTestStack, type TestStack } from '../support/stack.js';
import { certificateStatus, thingExists } from '../support/iot-registry.js';
import { putTemplate } from '../support/templates.js';
import { outdated, selfSigned } from '../unit/certificates/fixtures.js';
import {
  crashDuring,
  inIot,
  message,
  principalsOf,
  provisionNow,
  recordTask,
  SEED_CERTIFICATE,
  unique,
} from './certificate-modes.helpers.js';

let stack: TestStack;
let api: RunningServer;
let workers: RunningWorkers;

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

beforeAll(async () => {
  stack = await createTestStack();
  api = await stack.startApi();
  workers = stack.startWorkers();
});

afterAll(async () => {
  await workers.stop();
  await api.close();
  await stack.close();
});

const attachedTo = async (certificateArn: string) =>
  ((await stack.clients.iot.send(new ListAttachedPoliciesCommand({ target: certificateArn }))).policies ?? [])
    .map((p) => p.policyName)
    .sort();

const policyExists = async (policyName: string) => {
  try {
    await stack.clients.iot.send(new GetPolicyCommand({ policyName }));
    return true;
  } catch (e: unknown) {
    if (e instanceof Error && e.name === 'ResourceNotFoundException') return false;
    throw e;
  }
};

describe('registerDeviceCertificateWithoutCA', () => {
  it("registers the caller's certificate with the status it asks for", async () => {
    const thingName = unique('byo');
    const { certificatePem } = deviceCertificate(thingName);
    const res = await provisionNow(api.url, {
      provisioningTemplateId: REGISTER,
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: { certificatePem, certificateStatus: 'INACTIVE' },
    });
    expect(res.status).toBe(201);
    expect(res.body.privateKey).toBeUndefined();
    expect(String(res.body.certificatePem).trim()).toBe(certificatePem.trim());
    const arn = (res.body.resourceArns as Record<string, string>).certificate ?? '';
    expect(await principalsOf(stack.clients.iot, thingName)).toEqual([arn]);
    expect(await certificateStatus(stack.clients.iot, arn.split('/').pop() ?? '')).toBe('INACTIVE');
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
    const res = await provisionNow(api.url, {
      provisioningTemplateId: REGISTER,
      parameters: { ThingName: unique('byo-refused') },
      cdfProvisioningParameters: parameters(),
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code });
    expect(String(res.body.message)).toMatch(reason);
  });

  it('uses a certificate registered before, and a failed task leaves it registered', async () => {
    const thingName = unique('byo-existing');
    const { certificatePem } = deviceCertificate(thingName);
    await stack.clients.iot.send(
      new RegisterCertificateWithoutCACommand({ certificatePem, status: 'ACTIVE' }),
    );
    await putTemplate(stack, 'register-then-fail', {
      Parameters: { ThingName: { Type: 'String' }, CertificateId: { Type: 'String' } },
      Resources: {
        thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } },
        certificate: {
          Type: 'AWS::IoT::Certificate',
          Properties: { CertificateId: { Ref: 'CertificateId' } },
        },
        missing: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: unique('no-such-policy') } },
      },
      CDF: { registerDeviceCertificateWithoutCA: true },
    });
    const res = await provisionNow(api.url, {
      provisioningTemplateId: 'register-then-fail',
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: { certificatePem },
    });
    expect(res.body).toMatchObject({ code: 'POLICY_NOT_FOUND' });
    expect(await thingExists(stack.clients.iot, thingName)).toBe(false);
    expect(await inIot(stack.clients.iot, certificatePem)).toBe(true);
  });

  it('a worker that died after registering, before recording it, is resumed: one certificate', async () => {
    const thingName = unique('byo-redelivered');
    const { certificatePem } = deviceCertificate(thingName);
    const body: ProvisionRequest = {
      provisioningTemplateId: REGISTER,
      parameters: { ThingName: thingName },
      cdfProvisioningParameters: { certificatePem },
    };
    const taskId = await recordTask(stack, body);
    await crashDuring(stack, taskId, body, (ctx) => registerWithoutCaMode.run(ctx, {}), {
      when: 'before',
      patch: (p: CheckpointPatch) => (p.certificate?.certificateArn ?? '') !== '',
    });
    await handleRequestMessage(message(taskId), stack.services);
    const task = await stack.services.tasks.require(taskId);
    expect(task.status).toBe('SUCCEEDED');
    // Registered by this task (its intent was recorded first), so compensation would remove it.
    expect(task.checkpoint.certificate?.created).toBe(true);
    expect(await principalsOf(stack.clients.iot, thingName)).toEqual([
      task.checkpoint.certificate?.certificateArn,
    ]);
  });
});

describe('attachAdditionalPolicies and clientIdMustMatchThingName', () => {
  it('the sample template: creates the policy with a document once, attaches it beside the template policy', async () => {
    const first = await provisionNow(api.url, {
      provisioningTemplateId: 'additional-policies',
      parameters: { ThingName: unique('extra-policies') },
    });
    const second = await provisionNow(api.url, {
      provisioningTemplateId: 'additional-policies',
      parameters: { ThingName: unique('extra-policies') },
    });
    for (const res of [first, second]) {
      expect(res.status).toBe(201);
      const arn = (res.body.resourceArns as Record<string, string>).certificate ?? '';
      expect(await attachedTo(arn)).toEqual(['sample-device-policy', 'sample-telemetry-policy']);
    }
  });

  it.each([
    ['the array form', (policies: unknown[]) => policies],
    ['the {policies} form', (policies: unknown[]) => ({ policies })],
  ])('%s, with clientIdMustMatchThingName: every policy attached to the certificate', async (_, form) => {
    const templateId = unique('policies-template');
    const created = unique('created.policy');
    const existing = unique('existing-policy');
    const asObject = unique('object-policy');
    await stack.clients.iot.send(
      new CreatePolicyCommand({
        policyName: existing,
        policyDocument: policyDocument('existing'),
      }),
    );
    await putTemplate(stack, templateId, {
      Parameters: { ThingName: { Type: 'String' }, CertificateId: { Type: 'String' } },
      Resources: {
        thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } },
        certificate: {
          Type: 'AWS::IoT::Certificate',
          Properties: { CertificateId: { Ref: 'CertificateId' } },
        },
      },
      CDF: {
        createDeviceAWSCertificate: true,
        clientIdMustMatchThingName: true,
        attachAdditionalPolicies: form([
          { name: existing },
          { name: created, document: policyDocument('created') },
          { name: asObject, document: JSON.parse(policyDocument('object')) as object },
        ]),
      },
    });
    const thingName = unique('policies');
    const res = await provisionNow(api.url, {
      provisioningTemplateId: templateId,
      parameters: { ThingName: thingName },
    });
    expect(res.status).toBe(201);
    const arn = (res.body.resourceArns as Record<string, string>).certificate ?? '';
    expect(await attachedTo(arn)).toEqual(
      [asObject, `clientIdEnforcementPolicy_${thingName}`, created, existing].sort(),
    );
    const clientId = await stack.clients.iot.send(
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
    const made = await stack.clients.iot.send(new GetPolicyCommand({ policyName: created }));
    expect(JSON.parse(made.policyDocument ?? '{}')).toEqual(JSON.parse(policyDocument('created')));
  });

  it('a policy that does not exist fails the task, and the policies it created are removed', async () => {
    const templateId = unique('policies-fail');
    const created = unique('created-then-removed');
    await putTemplate(stack, templateId, {
      Parameters: { ThingName: { Type: 'String' }, CertificateId: { Type: 'String' } },
      Resources: {
        thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } },
        certificate: {
          Type: 'AWS::IoT::Certificate',
          Properties: { CertificateId: { Ref: 'CertificateId' } },
        },
      },
      CDF: {
        createDeviceAWSCertificate: true,
        attachAdditionalPolicies: [
          { name: created, document: policyDocument('x') },
          { name: unique('not-there') },
        ],
      },
    });
    const thingName = unique('policies-fail');
    const res = await provisionNow(api.url, {
      provisioningTemplateId: templateId,
      parameters: { ThingName: thingName },
    });
    expect(res.body).toMatchObject({ code: 'POLICY_NOT_FOUND' });
    const task = await stack.services.tasks.require(String(res.body.taskId));
    expect(task.status).toBe('FAILED');
    expect(await policyExists(created)).toBe(false);
    expect(await thingExists(stack.clients.iot, thingName)).toBe(false);
    expect(await inIot(stack.clients.iot, task.checkpoint.certificate?.certificatePem ?? '')).toBe(false);
  });

  it('a worker that died after creating a policy, before recording it, is resumed: one policy', async () => {
    const templateId = unique('policies-redelivered');
    const created = unique('created-once');
    await putTemplate(stack, templateId, {
      Parameters: { ThingName: { Type: 'String' }, CertificateId: { Type: 'String' } },
      Resources: {
        thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } },
        certificate: {
          Type: 'AWS::IoT::Certificate',
          Properties: { CertificateId: { Ref: 'CertificateId' } },
        },
      },
      CDF: {
        createDeviceAWSCertificate: true,
        attachAdditionalPolicies: [{ name: created, document: policyDocument('y') }],
      },
    });
    const thingName = unique('policies-redelivered');
    const body = { provisioningTemplateId: templateId, parameters: { ThingName: thingName } };
    const taskId = await recordTask(stack, body);
    await crashDuring(stack, taskId, body, (ctx) => provision(ctx, stack.services), {
      when: 'before',
      patch: (p: CheckpointPatch) =>
        p.policy?.logicalId === `cdf:${created}` && p.policy.value.policyArn !== '',
    });
    expect(await policyExists(created)).toBe(true);

    await handleRequestMessage(message(taskId), stack.services);
    const task = await stack.services.tasks.require(taskId);
    expect(task.status).toBe('SUCCEEDED');
    // Created by this task (its intent was recorded first), so compensation would remove it.
    expect(task.checkpoint.policies[`cdf:${created}`]).toMatchObject({ created: true, policyName: created });
    const named = (
      (await stack.clients.iot.send(new ListPoliciesCommand({ pageSize: 250 }))).policies ?? []
    ).filter((p) => p.policyName === created);
    expect(named).toHaveLength(1);
    expect(await attachedTo(task.checkpoint.certificate?.certificateArn ?? '')).toEqual([created]);
  });
});
