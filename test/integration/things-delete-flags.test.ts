import { describe, expect, it } from '@jest/globals';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateThingCommand,
  DeleteThingCommand,
  DetachPolicyCommand,
  DetachThingPrincipalCommand,
  GetPolicyCommand,
  ListTargetsForPolicyCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { setTimeout as sleep } from 'node:timers/promises';
import { awsCall } from '../../src/aws/classify-error.js';
import { retryWhileAttached } from '../../src/things/consistency-retry.js';
import { deletePolicyIfUnused } from '../../src/things/delete-policy.js';
import { deleteThing } from '../../src/things/delete-thing.js';
import { iotLists } from '../../src/aws/iot-lists.js';
import { runNames } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { request } from '../support/http.js';
import { certificateStatus, thingExists, thingState } from '../support/iot-registry.js';

/** FEATURES_DELETE_CERTIFICATES and FEATURES_DELETE_POLICIES on. */
const env = useStack({
  env: { FEATURES_DELETE_CERTIFICATES: 'true', FEATURES_DELETE_POLICIES: 'true' },
  api: true,
});
const name = runNames('delf');

const iot = () => env.stack.clients.iot;
const DOCUMENT =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}';

async function thing(thingName: string): Promise<void> {
  await iot().send(new CreateThingCommand({ thingName }));
}
async function certificate(...things: string[]): Promise<{ id: string; arn: string }> {
  const out = await iot().send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const arn = String(out.certificateArn);
  for (const thingName of things)
    await iot().send(new AttachThingPrincipalCommand({ thingName, principal: arn }));
  return { id: String(out.certificateId), arn };
}
async function policy(policyName: string, ...targets: string[]): Promise<string> {
  await iot().send(new CreatePolicyCommand({ policyName, policyDocument: DOCUMENT }));
  for (const target of targets) await iot().send(new AttachPolicyCommand({ policyName, target }));
  return policyName;
}
async function policyExists(policyName: string): Promise<boolean> {
  try {
    await iot().send(new GetPolicyCommand({ policyName }));
    return true;
  } catch (e: unknown) {
    if (e instanceof Error && e.name === 'ResourceNotFoundException') return false;
    throw e;
  }
}

describe('DELETE /things/{thingName} deleting certificates and policies', () => {
  it('deletes what only this thing used and keeps everything shared', async () => {
    const doomed = name('doomed');
    const neighbour = name('neighbour');
    await Promise.all([thing(doomed), thing(neighbour)]);
    const own = await certificate(doomed);
    const inactive = await certificate(doomed);
    await iot().send(new UpdateCertificateCommand({ certificateId: inactive.id, newStatus: 'INACTIVE' }));
    const shared = await certificate(doomed, neighbour);
    const neighbours = await certificate(neighbour);

    const onlyOurs = await policy(name('only-ours'), own.arn, inactive.arn);
    const versioned = await policy(name('versioned'), own.arn);
    await iot().send(
      new CreatePolicyVersionCommand({ policyName: versioned, policyDocument: DOCUMENT, setAsDefault: true }),
    );
    const withNeighbour = await policy(name('with-neighbour'), own.arn, neighbours.arn);
    // (A policy also attached to a thing group is kept by the same rule, but is not set up here:
    // moto's DeleteCertificate fails with a 500 for every certificate once any policy is attached
    // to a thing group, which would break every other test on the shared emulator.)
    const onSharedCertificate = await policy(name('on-shared-cert'), shared.arn);

    const res = await request(env.api.url, 'DELETE', `/things/${doomed}`);
    expect(res.status).toBe(204);

    expect(await thingExists(iot(), doomed)).toBe(false);
    await expect(certificateStatus(iot(), own.id)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(certificateStatus(iot(), inactive.id)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    // Used by the neighbour: kept, still active and attached.
    expect(await certificateStatus(iot(), shared.id)).toBe('ACTIVE');
    expect((await thingState(iot(), neighbour)).principals.sort()).toEqual(
      [shared.arn, neighbours.arn].sort(),
    );

    expect(await policyExists(onlyOurs)).toBe(false);
    expect(await policyExists(versioned)).toBe(false);
    expect(await policyExists(withNeighbour)).toBe(true);
    expect(await policyExists(onSharedCertificate)).toBe(true);
    expect(
      (await iot().send(new ListTargetsForPolicyCommand({ policyName: withNeighbour }))).targets,
    ).toEqual([neighbours.arn]);
    expect(env.stack.logs()).toContain('"message":"thing deleted"');
  });

  it('with FEATURES_DELETE_POLICIES off, deletes the certificates and keeps their policies', async () => {
    const thingName = name('certs-only');
    await thing(thingName);
    const c = await certificate(thingName);
    const policyName = await policy(name('certs-only-policy'), c.arn);
    const outcome = await deleteThing(thingName, {
      iot: iot(),
      features: { deleteCertificates: true, deletePolicies: false },
    });
    expect(outcome).toMatchObject({ certificatesDeleted: [c.id], policiesDeleted: [] });
    await expect(certificateStatus(iot(), c.id)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await policyExists(policyName)).toBe(true);
  });

  it('two deletes of the same thing at once both succeed or find it gone, and leave nothing behind', async () => {
    for (const round of [1, 2, 3]) {
      const thingName = name(`race-${round}`);
      await thing(thingName);
      const certificates = [await certificate(thingName), await certificate(thingName)];
      const policyName = await policy(name(`race-policy-${round}`), ...certificates.map((c) => c.arn));

      const answers = await Promise.all(
        [1, 2].map(() => request(env.api.url, 'DELETE', `/things/${thingName}`)),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses).toContain(204);
      for (const status of statuses) expect([204, 404]).toContain(status);

      expect(await thingExists(iot(), thingName)).toBe(false);
      for (const c of certificates) {
        await expect(certificateStatus(iot(), c.id)).rejects.toMatchObject({
          name: 'ResourceNotFoundException',
        });
      }
      expect(await policyExists(policyName)).toBe(false);
    }
  });

  it('refuses (409) to delete a certificate in transfer, before changing anything', async () => {
    const thingName = name('transfer');
    await thing(thingName);
    const c = await certificate(thingName);
    // moto lets any status be set; on AWS this is TransferCertificate's doing.
    await iot().send(new UpdateCertificateCommand({ certificateId: c.id, newStatus: 'PENDING_TRANSFER' }));
    const res = await request(env.api.url, 'DELETE', `/things/${thingName}`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CERTIFICATE_STATUS_LOCKED');
    expect(await thingExists(iot(), thingName)).toBe(true);
    expect((await thingState(iot(), thingName)).principals).toEqual([c.arn]);
  });
});

/**
 * IoT's eventual consistency, with what moto gives: moto applies a detach at once, so "IoT still
 * thinks it is attached" is produced by really leaving it attached and detaching it a moment after
 * the delete started. The errors are moto's own answers.
 */
describe('deletes retried while IoT still reports an attachment', () => {
  const fast = { attempts: 10, firstDelayMs: 50, maxDelayMs: 200 };

  it('DeleteThing passes once the principal is detached', async () => {
    const thingName = name('lagging-thing');
    await thing(thingName);
    const c = await certificate(thingName);
    const started = Date.now();
    const detachLater = sleep(300).then(() =>
      iot().send(new DetachThingPrincipalCommand({ thingName, principal: c.arn })),
    );
    await retryWhileAttached(
      'thing',
      () => awsCall('deleting', () => iot().send(new DeleteThingCommand({ thingName }))),
      fast,
    );
    await detachLater;
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await thingExists(iot(), thingName)).toBe(false);
  });

  it('a policy still listed on a detached certificate is deleted once IoT catches up', async () => {
    const c = await certificate();
    const policyName = await policy(name('lagging-policy'), c.arn);
    const detachLater = sleep(300).then(() =>
      iot().send(new DetachPolicyCommand({ policyName, target: c.arn })),
    );
    // The certificate counts as released: it is what this delete detached.
    const outcome = await deletePolicyIfUnused(iot(), iotLists(iot()), policyName, new Set([c.arn]), fast);
    await detachLater;
    expect(outcome).toBe('deleted');
    expect(await policyExists(policyName)).toBe(false);
  });

  it('a policy that something else starts to use meanwhile is kept', async () => {
    const mine = await certificate();
    const theirs = await certificate();
    const policyName = await policy(name('grabbed-policy'), mine.arn);
    const grabLater = sleep(200).then(async () => {
      await iot().send(new AttachPolicyCommand({ policyName, target: theirs.arn }));
      await iot().send(new DetachPolicyCommand({ policyName, target: mine.arn }));
    });
    const outcome = await deletePolicyIfUnused(iot(), iotLists(iot()), policyName, new Set([mine.arn]), fast);
    await grabLater;
    expect(outcome).toBe('kept');
    expect(await policyExists(policyName)).toBe(true);
  });

  it('gives up with a retryable IOT_STILL_ATTACHED when the attachment never goes', async () => {
    const thingName = name('stuck');
    await thing(thingName);
    await certificate(thingName);
    await expect(
      retryWhileAttached(
        `thing '${thingName}'`,
        () => awsCall('deleting', () => iot().send(new DeleteThingCommand({ thingName }))),
        { attempts: 3, firstDelayMs: 10, maxDelayMs: 20 },
      ),
    ).rejects.toMatchObject({ code: 'IOT_STILL_ATTACHED', kind: 'transient' });
    expect(await thingExists(iot(), thingName)).toBe(true);
  });
});
