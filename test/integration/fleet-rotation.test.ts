import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  AddThingToThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
} from '@aws-sdk/client-iot';
import { privateKeyMatchesCertificate } from '../../src/certificates/index.js';
import { allResults, pollBulk } from '../support/bulk.js';
import { request } from '../support/http.js';
import { provisionWithPem } from '../support/inventory.js';
import { certificateStatus, principalsOf } from '../support/iot-registry.js';
import { unique } from '../support/names.js';
import { deviceByHand, policiesOf } from '../support/rotation.js';
import { useStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

/**
 * Fleet rotation (`POST /certificates/rotations`) against the emulator: a thing group, a list of
 * things, the certificates expiring soon; what is refused before anything is made; one new
 * certificate per device, the old one retired as asked, exact counts.
 */
const env = useStack({ templates: ['certificate-pem'], api: true, workers: true });
const iot = () => env.stack.clients.iot;
const idOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

const rotateFleet = (body: unknown, headers: Record<string, string> = {}) =>
  request(env.api.url, 'POST', '/certificates/rotations', { body, headers });

type Device = Awaited<ReturnType<typeof deviceByHand>> & { thingName: string };

async function groupOfDevices(
  size: number,
  prefix: string,
): Promise<{ groupName: string; devices: Device[] }> {
  const groupName = unique(`${prefix}-group`);
  await iot().send(new CreateThingGroupCommand({ thingGroupName: groupName }));
  const devices: Device[] = [];
  for (let i = 0; i < size; i++) {
    const thingName = unique(`${prefix}${i}`);
    devices.push({ thingName, ...(await deviceByHand(iot(), thingName)) });
    await iot().send(new AddThingToThingGroupCommand({ thingGroupName: groupName, thingName }));
  }
  return { groupName, devices };
}

describe('rotating a thing group', () => {
  let groupName: string;
  let devices: Device[];
  let bare: string;
  let taskId: string;

  beforeAll(async () => {
    ({ groupName, devices } = await groupOfDevices(5, 'fg'));
    // A thing with no certificate: nothing to replace, so its line fails and the others go on.
    bare = unique('fg-bare');
    await iot().send(new CreateThingCommand({ thingName: bare }));
    await iot().send(new AddThingToThingGroupCommand({ thingGroupName: groupName, thingName: bare }));
    const res = await rotateFleet({ thingGroupName: groupName, mode: 'aws', retireOldCertificate: 'now' });
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/bulkthings/${String(res.body.taskId)}`);
    expect(res.body).toMatchObject({
      provisioningTemplateId: ':rotation',
      source: 'selection',
      rotation: { selection: 'thingGroup', thingGroupName: groupName, recursive: false, mode: 'aws' },
    });
    taskId = String(res.body.taskId);
  }, 60_000);

  it('ends with exact counts: one line per thing of the group, the bare thing failed', async () => {
    const done = await pollBulk(env.api.url, taskId, 120_000);
    expect(done).toMatchObject({
      status: 'CompletedWithFailures',
      totalCount: 6,
      successCount: 5,
      failureCount: 1,
      skippedCount: 0,
    });
  }, 130_000);

  it('gives every device one new ACTIVE certificate with its policies, and retires the old one now', async () => {
    const results = await allResults(env.api.url, taskId);
    expect(results).toHaveLength(6);
    for (const device of devices) {
      const result = results.find((r) => r.thingName === device.thingName);
      expect(result).toMatchObject({
        status: 'SUCCEEDED',
        rotation: { replacedCertificateId: device.certificateId, retirement: { status: 'RETIRED' } },
      });
      const arn = String((result?.resourceArns as Record<string, string>).certificate);
      // The old certificate is detached and INACTIVE; the thing has exactly the new one.
      expect(await principalsOf(iot(), device.thingName)).toEqual([arn]);
      expect(await certificateStatus(iot(), idOf(arn))).toBe('ACTIVE');
      expect(await certificateStatus(iot(), device.certificateId)).toBe('INACTIVE');
      expect(await policiesOf(iot(), arn)).toEqual([device.policyName]);
      expect(privateKeyMatchesCertificate(String(result?.privateKey), String(result?.certificatePem))).toBe(
        true,
      );
    }
    const failed = results.find((r) => r.thingName === bare);
    expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'NO_CURRENT_CERTIFICATE' } });
    expect((failed?.error as { message: string }).message).toContain(bare);
  });

  it('answers the same key and request with the same task, and makes nothing more', async () => {
    const key = unique('fleet-key');
    const body = { thingNames: [devices[0]?.thingName], mode: 'aws', retireOldCertificate: 'never' };
    const first = await rotateFleet(body, { 'idempotency-key': key });
    const again = await rotateFleet(body, { 'idempotency-key': key });
    expect([first.status, again.status]).toEqual([202, 200]);
    expect(again.body.taskId).toBe(first.body.taskId);
    const other = await rotateFleet({ ...body, retireOldCertificate: 'now' }, { 'idempotency-key': key });
    expect(other.status).toBe(409);
    expect(await pollBulk(env.api.url, String(first.body.taskId), 60_000)).toMatchObject({
      status: 'Completed',
      totalCount: 1,
      successCount: 1,
    });
    // The group rotation's certificate and this one: two, the first retired.
    expect(await principalsOf(iot(), devices[0]?.thingName ?? '')).toHaveLength(2);
  }, 70_000);
});

describe('cancelling a fleet rotation', () => {
  it('starts no device after the cancel, and counts exactly the devices that were rotated', async () => {
    const { groupName, devices } = await groupOfDevices(12, 'fc');
    const res = await rotateFleet({ thingGroupName: groupName, mode: 'aws', retireOldCertificate: 'never' });
    expect(res.status).toBe(202);
    const taskId = String(res.body.taskId);
    const cancelled = await request(env.api.url, 'POST', `/bulkthings/${taskId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('Cancelled');
    // Settled: the chunks at work when it was cancelled have stopped and added their devices.
    const settled = await waitFor(
      'the cancelled rotation to settle',
      () => env.stack.services.bulk.get(taskId),
      (t) => (t?.activeChunks?.size ?? 0) === 0,
      60_000,
    );
    const rotated: string[] = [];
    for (const device of devices) {
      const principals = await principalsOf(iot(), device.thingName);
      expect(principals).toContain(device.certificateArn);
      // Never more than one new certificate, rotated or not.
      expect(principals.length).toBeLessThanOrEqual(2);
      if (principals.length === 2) rotated.push(device.thingName);
    }
    expect(settled).toMatchObject({ status: 'Cancelled', successCount: rotated.length, failureCount: 0 });
  }, 90_000);
});

describe('rotating a list of things', () => {
  it('fails a repeated or unknown thing on its own line and rotates the rest', async () => {
    const a = unique('fl-a');
    const b = unique('fl-b');
    const ghost = unique('fl-ghost');
    const old = await deviceByHand(iot(), a);
    await deviceByHand(iot(), b);
    const res = await rotateFleet({
      thingNames: [a, b, a, ghost],
      mode: 'aws',
      retireOldCertificate: 'never',
    });
    expect(res.status).toBe(202);
    const done = await pollBulk(env.api.url, String(res.body.taskId), 90_000);
    expect(done).toMatchObject({
      status: 'CompletedWithFailures',
      totalCount: 4,
      successCount: 2,
      failureCount: 2,
    });
    const results = await allResults(env.api.url, String(res.body.taskId));
    const byLine = new Map(results.map((r) => [r.line, r]));
    // Lines 1 and 3 name the same thing and run side by side: whichever claims it first rotates it,
    // the other fails; never both.
    const sameThing = [byLine.get(1), byLine.get(3)];
    expect(sameThing.filter((r) => r?.status === 'SUCCEEDED')).toEqual([
      expect.objectContaining({
        rotation: expect.objectContaining({ replacedCertificateId: old.certificateId }),
      }),
    ]);
    expect(sameThing.filter((r) => r?.status === 'FAILED')).toEqual([
      expect.objectContaining({ error: expect.objectContaining({ code: 'THING_NAME_DUPLICATE' }) }),
    ]);
    expect(byLine.get(4)).toMatchObject({ status: 'FAILED', error: { code: 'THING_NOT_FOUND' } });
    // Kept ("never"): the old certificate is still ACTIVE beside exactly one new one.
    expect(await principalsOf(iot(), a)).toHaveLength(2);
    expect(await certificateStatus(iot(), old.certificateId)).toBe('ACTIVE');

    // A second fleet rotation of the same thing replaces the new certificate, not the kept old one.
    const again = await rotateFleet({ thingNames: [a], mode: 'aws', retireOldCertificate: 'now' });
    const second = await pollBulk(env.api.url, String(again.body.taskId), 60_000);
    expect(second).toMatchObject({ status: 'CompletedWithFailures', failureCount: 1 });
    const [line] = await allResults(env.api.url, String(again.body.taskId));
    expect(line?.error).toMatchObject({ code: 'CURRENT_CERTIFICATE_AMBIGUOUS' });
  }, 150_000);
});

describe('rotating the certificates that expire soon', () => {
  it('selects the things whose certificate expires within N days and replaces that certificate', async () => {
    const soon = unique('fe-soon');
    const later = unique('fe-later');
    const old = await provisionWithPem(env.stack, soon, 5);
    const kept = await provisionWithPem(env.stack, later, 400);
    const res = await rotateFleet({
      expiringWithinDays: 30,
      mode: 'aws',
      retireOldCertificate: { afterDays: 3 },
    });
    expect(res.status).toBe(202);
    const taskId = String(res.body.taskId);
    await pollBulk(env.api.url, taskId, 90_000);
    const results = await allResults(env.api.url, taskId);
    const mine = results.find((r) => r.thingName === soon);
    expect(mine).toMatchObject({
      status: 'SUCCEEDED',
      rotation: { replacedCertificateId: old.certificateId, retirement: { status: 'SCHEDULED' } },
    });
    expect(results.find((r) => r.thingName === later)).toBeUndefined();
    expect(await principalsOf(iot(), later)).toEqual([kept.certificateArn]);

    // The replaced certificate is being retired: a second run does not rotate it again.
    const again = await rotateFleet({ expiringWithinDays: 30, mode: 'aws' });
    await pollBulk(env.api.url, String(again.body.taskId), 60_000);
    const second = await allResults(env.api.url, String(again.body.taskId));
    expect(second.find((r) => r.thingName === soon)).toBeUndefined();
    expect(await principalsOf(iot(), soon)).toHaveLength(2);
  }, 150_000);
});

describe('what is refused before anything is made', () => {
  const CA_ID = 'f'.repeat(64);
  it.each([
    [{}, 400, 'FLEET_SELECTION_INVALID'],
    [{ thingNames: ['a'], expiringWithinDays: 3 }, 400, 'FLEET_SELECTION_INVALID'],
    [{ thingNames: ['a'], recursive: true }, 400, 'FLEET_SELECTION_INVALID'],
    [{ thingNames: ['a'], mode: 'aws-csr' }, 400, 'FLEET_ROTATION_MODE_PER_DEVICE'],
    [{ thingNames: ['a'], cdfProvisioningParameters: { caId: CA_ID } }, 400, 'FLEET_PARAMETERS_NEED_MODE'],
    [
      { thingNames: ['a'], mode: 'aws', cdfProvisioningParameters: { caId: CA_ID } },
      400,
      'ROTATION_PARAMETER_UNUSED',
    ],
    [{ thingNames: ['no spaces'] }, 400, 'THING_NAME_INVALID'],
    [{ thingGroupName: 'no-such-group-anywhere' }, 404, 'THING_GROUP_NOT_FOUND'],
    [
      { thingNames: ['a'], mode: 'own-ca', cdfProvisioningParameters: { caId: 'f'.repeat(64) } },
      400,
      undefined,
    ],
  ])('%j → %i %s', async (body, status, code) => {
    const res = await rotateFleet(body);
    expect(res.status).toBe(status);
    if (code !== undefined) expect(res.body.code).toBe(code);
    expect(String(res.body.message).length).toBeGreaterThan(10);
  });
});
