import { beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeCertificateCommand } from '@aws-sdk/client-iot';
import { generateDeviceKeyPair } from '../../src/certificates/index.js';
import { createSelfSignedCa } from '../../src/provisioning/ca/self-signed-ca.js';
import { handleRequestMessage } from '../../workers/handle-request.js';
import { thingState } from '../support/iot-registry.js';
import { useStack } from '../support/stack.js';
import { inboundMessage, recordTask } from '../support/tasks.js';

/** A template whose certificate is a PEM the caller brings (AWS::IoT::Certificate CertificatePem). */
const env = useStack({ templates: ['certificate-pem'] });
let pem: string;

beforeAll(async () => {
  const key = await generateDeviceKeyPair('EC-P256');
  pem = createSelfSignedCa(key.privateKeyPem, { country: 'DE', commonName: 'brought-1' }, { days: 30 });
});

async function provision(parameters: Record<string, string>) {
  const taskId = await recordTask(env.stack, { provisioningTemplateId: 'certificate-pem', parameters });
  const message = inboundMessage({ taskId });
  await handleRequestMessage(message, env.stack.services);
  await handleRequestMessage(message, env.stack.services); // redelivered: changes nothing
  return env.stack.services.tasks.require(taskId);
}

describe("a template that registers the caller's certificate PEM", () => {
  it('registers it without a CA and attaches it to the thing, once', async () => {
    const task = await provision({ ThingName: 'pem-1', CertificatePem: pem });
    expect(task.status).toBe('SUCCEEDED');
    const arn = task.checkpoint.certificate?.certificateArn ?? '';
    expect((await thingState(env.stack.clients.iot, 'pem-1')).principals).toEqual([arn]);
    expect(task.checkpoint.certificate?.created).toBe(true);
  });

  it('reuses an already registered certificate, and a failure afterwards leaves it in place', async () => {
    const task = await provision({ ThingName: 'pem-2', CertificatePem: pem, Group: 'no-such-group' });
    expect(task).toMatchObject({ status: 'FAILED', error: { code: 'THING_GROUP_NOT_FOUND' } });
    expect(task.checkpoint.certificate?.created).toBe(false);
    const certificateId = task.checkpoint.certificate?.certificateId ?? '';
    const out = await env.stack.clients.iot.send(new DescribeCertificateCommand({ certificateId }));
    expect(out.certificateDescription?.status).toBe('ACTIVE');
  });

  it('refuses a PEM that is not a certificate with a code, provisioning nothing', async () => {
    const task = await provision({ ThingName: 'pem-3', CertificatePem: 'not a certificate' });
    expect(task.status).toBe('FAILED');
    expect(task.error?.code).toMatch(/^(CERTIFICATE_PEM_INVALID|TEMPLATE_PROPERTY_INVALID)$/);
  });
});
