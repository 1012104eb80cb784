import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  CreateThingTypeCommand,
  type CertificateStatus,
} from '@aws-sdk/client-iot';
import { getThing } from '../../src/things/get-thing.js';
import { Thing } from '../../src/things/schemas.js';
import { validator } from '../../src/validation.js';
import { runNames } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { pollTask, request } from '../support/http.js';
import { certificateWithStatus } from '../support/iot-setup.js';

const env = useStack({ api: true });
const name = runNames('read');

const iot = () => env.stack.clients.iot;

const certificate = (status?: CertificateStatus) => certificateWithStatus(iot(), status);

async function policy(policyName: string, target: string[]): Promise<string> {
  const policyDocument = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: `arn:aws:iot:*:*:client/${policyName}` }],
  });
  await iot().send(new CreatePolicyCommand({ policyName, policyDocument }));
  for (const t of target) await iot().send(new AttachPolicyCommand({ policyName, target: t }));
  return policyDocument;
}

const sortBy = <T>(items: T[], key: (item: T) => string) =>
  [...items].sort((a, b) => key(a).localeCompare(key(b)));

describe('GET /things/{thingName}', () => {
  /** A thing with a type, attributes, four certificates in four states, shared policies and three groups. */
  const full = name('full');
  const expected: {
    certificates: Thing['certificates'];
    policies: Omit<Thing['policies'][number], 'arn'>[];
  } = {
    certificates: [],
    policies: [],
  };

  beforeAll(async () => {
    const thingTypeName = name('type');
    await iot().send(new CreateThingTypeCommand({ thingTypeName }));
    await iot().send(
      new CreateThingCommand({
        thingName: full,
        thingTypeName,
        attributePayload: { attributes: { serial: 'SN-0001', site: 'plant-7' } },
      }),
    );
    const certificates = await Promise.all(
      (['ACTIVE', 'INACTIVE', 'REVOKED', 'PENDING_ACTIVATION'] as const).map(async (status) => ({
        status,
        ...(await certificate(status)),
      })),
    );
    for (const c of certificates) {
      await iot().send(new AttachThingPrincipalCommand({ thingName: full, principal: c.arn }));
    }
    const [c1, c2, c3] = certificates;
    if (c1 === undefined || c2 === undefined || c3 === undefined) throw new Error('certificates missing');

    // Another thing's certificate shares one of the policies.
    const other = name('other');
    await iot().send(new CreateThingCommand({ thingName: other }));
    const otherCertificate = await certificate();
    await iot().send(new AttachThingPrincipalCommand({ thingName: other, principal: otherCertificate.arn }));

    const policies: [string, string[]][] = [
      [name('own'), [c1.arn]],
      [name('two-certs'), [c1.arn, c2.arn]],
      [name('shared'), [c3.arn, otherCertificate.arn]],
    ];
    for (const [policyName, targets] of policies) {
      expected.policies.push({ policyName, policyDocument: await policy(policyName, targets) });
    }

    const groups: [string, Record<string, string>][] = [
      [name('floor'), { floor: '3' }],
      [name('line'), { line: 'A', shift: 'night' }],
      [name('bare'), {}],
    ];
    for (const [thingGroupName, attributes] of groups) {
      await iot().send(
        new CreateThingGroupCommand({
          thingGroupName,
          thingGroupProperties:
            Object.keys(attributes).length > 0 ? { attributePayload: { attributes } } : {},
        }),
      );
      await iot().send(new AddThingToThingGroupCommand({ thingGroupName, thingName: full }));
    }
    expected.certificates = certificates.map((c) => ({
      certificateId: c.id,
      arn: c.arn,
      certificateStatus: c.status,
      certificatePem: expect.stringContaining('-----BEGIN CERTIFICATE-----') as unknown as string,
    }));
  });

  it('answers the whole thing: type, attributes, every certificate with its real status, policies, groups', async () => {
    const res = await request<Thing>(env.api.url, 'GET', `/things/${full}`);
    expect(res.status).toBe(200);
    expect(validator(Thing).problems(res.body)).toEqual([]);
    const thing = res.body;
    expect(thing).toMatchObject({
      thingName: full,
      arn: `arn:aws:iot:us-east-1:123456789012:thing/${full}`,
      thingType: name('type'),
      attributes: { serial: 'SN-0001', site: 'plant-7' },
    });
    expect(sortBy(thing.certificates, (c) => c.certificateId)).toEqual(
      sortBy(expected.certificates, (c) => c.certificateId),
    );
    // A policy on two of the thing's certificates is listed once; one shared with another thing too.
    expect(sortBy(thing.policies, (p) => p.policyName)).toEqual(
      sortBy(expected.policies, (p) => p.policyName).map((p) => ({
        ...p,
        arn: `arn:aws:iot:us-east-1:123456789012:policy/${p.policyName}`,
      })),
    );
    expect(sortBy(thing.groups, (g) => g.groupName)).toEqual(
      sortBy(
        [
          { groupName: name('floor'), attributes: { floor: '3' } },
          { groupName: name('line'), attributes: { line: 'A', shift: 'night' } },
          { groupName: name('bare'), attributes: {} },
        ],
        (g) => g.groupName,
      ).map((g) => ({ ...g, arn: `arn:aws:iot:us-east-1:123456789012:thinggroup/${g.groupName}` })),
    );
  });

  // moto ignores maxResults/pageSize on these calls and answers whole lists, so this proves the
  // calls are made and complete with a page size of one; the token loop itself is unit-tested.
  it('asks for pages of one item and still returns every item', async () => {
    const paged = await getThing(full, { iot: iot(), pageSize: 1 });
    const whole = (await request<Thing>(env.api.url, 'GET', `/things/${full}`)).body;
    const normalise = (t: Thing) => ({
      ...t,
      certificates: sortBy(t.certificates, (c) => c.certificateId),
      policies: sortBy(t.policies, (p) => p.policyName),
      groups: sortBy(t.groups, (g) => g.groupName),
    });
    expect(normalise(paged)).toEqual(normalise(whole));
    expect(paged.certificates).toHaveLength(4);
    expect(paged.policies).toHaveLength(3);
    expect(paged.groups).toHaveLength(3);
  });

  it('a thing with nothing attached has no type and empty lists', async () => {
    const bare = name('bare-thing');
    await iot().send(new CreateThingCommand({ thingName: bare }));
    const res = await request(env.api.url, 'GET', `/things/${bare}`, {
      headers: { accept: 'application/vnd.aws-cdf-v1.0+json' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/vnd.aws-cdf-v1.0+json');
    expect(res.body).toEqual({
      thingName: bare,
      arn: `arn:aws:iot:us-east-1:123456789012:thing/${bare}`,
      attributes: {},
      certificates: [],
      policies: [],
      groups: [],
    });
  });

  it('shows a device provisioned through the API as it was provisioned', async () => {
    const workers = env.stack.startWorkers();
    try {
      const thingName = name('provisioned');
      const res = await request(env.api.url, 'POST', '/things', {
        body: {
          provisioningTemplateId: 'aws-certificate',
          parameters: { ThingName: thingName, SerialNumber: 'SN-9' },
        },
      });
      const task = await pollTask(env.api.url, String(res.body.taskId));
      expect(task.status).toBe('SUCCEEDED');
      const thing = (await request<Thing>(env.api.url, 'GET', `/things/${thingName}`)).body;
      expect(thing).toMatchObject({
        thingType: 'sample-device',
        attributes: { serialNumber: 'SN-9' },
        groups: [{ groupName: 'sample-fleet', attributes: { purpose: 'samples' } }],
      });
      expect(thing.certificates).toEqual([
        expect.objectContaining({ certificateStatus: 'ACTIVE', certificatePem: task.certificatePem }),
      ]);
      expect(thing.policies).toHaveLength(1);
      expect(JSON.parse(String(thing.policies[0]?.policyDocument))).toMatchObject({ Version: '2012-10-17' });
    } finally {
      await workers.stop();
    }
  });

  it('404 with a message for an unknown thing', async () => {
    const res = await request(env.api.url, 'GET', `/things/${name('never-made')}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: 'THING_NOT_FOUND',
      message: `No thing named '${name('never-made')}' exists`,
    });
  });

  it.each([['bad%20name'], ['dot.ted'], ['x'.repeat(129)]])(
    '400 for a name AWS would refuse: %s',
    async (bad) => {
      const res = await request(env.api.url, 'GET', `/things/${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('THING_NAME_INVALID');
      expect(res.body.message).toContain('1-128 of a-z A-Z 0-9 : _ -');
    },
  );
});
