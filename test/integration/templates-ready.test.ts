import { describe, expect, it } from '@jest/globals';
import { CreateThingCommand, CreateThingGroupCommand, GetPolicyCommand } from '@aws-sdk/client-iot';
import type { Thing } from '../../src/things/schemas.js';
import { runNames } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { provisionNow, request } from '../support/http.js';

/**
 * The shipped templates the certificate-mode tests do not already provision with
 * (certificate-modes-*.test.ts use create-device-certificate, register-without-ca, acmpca-*,
 * additional-policies), provisioned end to end.
 */
const env = useStack({
  env: { FEATURES_DELETE_CERTIFICATES: 'true', FEATURES_DELETE_POLICIES: 'true' },
  api: true,
  workers: true,
});
const name = runNames('ready');

const provision = (provisioningTemplateId: string, parameters: Record<string, string>) =>
  provisionNow(env.api.url, { provisioningTemplateId, parameters });
const thing = async (thingName: string) =>
  (await request<Thing>(env.api.url, 'GET', `/things/${thingName}`)).body;

describe('add-thing-to-group', () => {
  it('adds an existing thing to a group, keeping the groups it had', async () => {
    const thingName = name('existing');
    const group = name('line-b');
    await env.stack.clients.iot.send(new CreateThingCommand({ thingName }));
    await env.stack.clients.iot.send(new CreateThingGroupCommand({ thingGroupName: group }));
    expect((await provision('add-thing-to-group', { ThingName: thingName })).status).toBe(201);
    expect(
      (await provision('add-thing-to-group', { ThingName: thingName, ThingGroupName: group })).status,
    ).toBe(201);
    const groups = (await thing(thingName)).groups.map((g) => g.groupName).sort();
    expect(groups).toEqual(['sample-fleet', group].sort());
  });

  it('creates a thing that does not exist yet, in the group', async () => {
    const thingName = name('new');
    expect((await provision('add-thing-to-group', { ThingName: thingName })).status).toBe(201);
    expect((await thing(thingName)).groups.map((g) => g.groupName)).toEqual(['sample-fleet']);
  });
});

describe('policy-per-device', () => {
  it("gives each device its own policy naming it, deleted with the device's certificate", async () => {
    const devices = [name('pump-1'), name('pump-2')];
    for (const thingName of devices)
      expect((await provision('policy-per-device', { ThingName: thingName })).status).toBe(201);
    const [first, second] = await Promise.all(devices.map(thing));
    expect(first?.policies).toHaveLength(1);
    expect(first?.policies[0]?.policyDocument).toContain(`:client/${devices[0] ?? ''}`);
    expect(second?.policies[0]?.policyDocument).toContain(`:client/${devices[1] ?? ''}`);
    expect(first?.policies[0]?.policyName).not.toBe(second?.policies[0]?.policyName);

    const policyName = String(first?.policies[0]?.policyName);
    expect((await request(env.api.url, 'DELETE', `/things/${devices[0] ?? ''}`)).status).toBe(204);
    await expect(env.stack.clients.iot.send(new GetPolicyCommand({ policyName }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    // The other device's policy is its own, and stays.
    expect((await thing(devices[1] ?? '')).policies).toHaveLength(1);
  });
});
