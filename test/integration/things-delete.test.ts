import { describe, expect, it } from '@jest/globals';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  GetPolicyCommand,
} from '@aws-sdk/client-iot';
import { runNames } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { pollTask, request } from '../support/http.js';
import { certificateStatus, thingExists } from '../support/iot-registry.js';

/** With CDF's defaults (both FEATURES_DELETE_* off): the thing goes, its certificates and policies stay. */
const env = useStack({ api: true });
const name = runNames('del');

const iot = () => env.stack.clients.iot;

describe('DELETE /things/{thingName} with the default configuration', () => {
  it('detaches every certificate and deletes only the thing (204), then 404', async () => {
    const thingName = name('two-certs');
    await iot().send(new CreateThingCommand({ thingName }));
    const certificates = await Promise.all(
      [1, 2].map(() => iot().send(new CreateKeysAndCertificateCommand({ setAsActive: true }))),
    );
    const policyName = name('policy');
    await iot().send(
      new CreatePolicyCommand({ policyName, policyDocument: '{"Version":"2012-10-17","Statement":[]}' }),
    );
    for (const c of certificates) {
      await iot().send(new AttachThingPrincipalCommand({ thingName, principal: c.certificateArn }));
      await iot().send(new AttachPolicyCommand({ policyName, target: c.certificateArn }));
    }

    const res = await request(env.api.url, 'DELETE', `/things/${thingName}`);
    expect(res.status).toBe(204);
    expect(await thingExists(iot(), thingName)).toBe(false);
    for (const c of certificates)
      expect(await certificateStatus(iot(), String(c.certificateId))).toBe('ACTIVE');
    expect((await iot().send(new GetPolicyCommand({ policyName }))).policyName).toBe(policyName);

    const again = await request(env.api.url, 'DELETE', `/things/${thingName}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ code: 'THING_NOT_FOUND', message: `No thing named '${thingName}' exists` });
  });

  it('deletes a device provisioned through the API', async () => {
    const workers = env.stack.startWorkers();
    try {
      const thingName = name('provisioned');
      const res = await request(env.api.url, 'POST', '/things', {
        body: { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: thingName } },
      });
      expect((await pollTask(env.api.url, String(res.body.taskId))).status).toBe('SUCCEEDED');
      expect((await request(env.api.url, 'DELETE', `/things/${thingName}`)).status).toBe(204);
      expect(await thingExists(iot(), thingName)).toBe(false);
    } finally {
      await workers.stop();
    }
  });

  it('404 for an unknown thing, 400 for a name AWS would refuse', async () => {
    const unknown = await request(env.api.url, 'DELETE', `/things/${name('never-made')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('THING_NOT_FOUND');
    const bad = await request(env.api.url, 'DELETE', '/things/no%20spaces');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('THING_NAME_INVALID');
  });
});
