import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  ListAttachedPoliciesCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { randomUUID } from 'node:crypto';
import { resolveRotation } from '../../src/rotation/resolve-rotation.js';
import type { RotationRequest } from '../../src/rotation/schemas.js';
import { newTask, requestHash } from '../../src/tasks/new-task.js';
import type { TestStack } from './stack.js';
import { unique } from './names.js';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }],
});

/**
 * A device made with AWS IoT's own calls, not by the service (so the inventory does not know its
 * certificate): a thing, an ACTIVE AWS-made certificate attached to it, and a policy of its own.
 */
export async function deviceByHand(
  iot: IoTClient,
  thingName: string,
): Promise<{ certificateId: string; certificateArn: string; policyName: string }> {
  await iot.send(new CreateThingCommand({ thingName }));
  const cert = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const certificateArn = cert.certificateArn ?? '';
  const policyName = unique('rotation-policy');
  await iot.send(new CreatePolicyCommand({ policyName, policyDocument: POLICY }));
  await iot.send(new AttachPolicyCommand({ policyName, target: certificateArn }));
  await iot.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn }));
  return { certificateId: cert.certificateId ?? '', certificateArn, policyName };
}

export async function policiesOf(iot: IoTClient, target: string): Promise<string[]> {
  const out = await iot.send(new ListAttachedPoliciesCommand({ target }));
  return (out.policies ?? []).map((p) => p.policyName ?? '').sort();
}

/** Records a rotation's task as the API would (resolved and checked), without enqueueing it. */
export async function recordRotation(
  stack: TestStack,
  thingName: string,
  body: RotationRequest,
): Promise<string> {
  const { services } = stack;
  const { rotation, request } = await resolveRotation(thingName, body, services.rotations);
  const taskId = randomUUID();
  await services.tasks.create({
    ...newTask(taskId, request, { source: 'api', ttlSeconds: 3600 }),
    requestHash: requestHash({ thingName, rotation: body }),
    rotation,
  });
  return taskId;
}
