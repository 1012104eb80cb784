import { beforeAll, describe, expect, it } from '@jest/globals';
import { createApp } from '../../api/app.js';
import { allResults, pollBulk } from '../support/bulk.js';
import { request } from '../support/http.js';
import { runNames } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { putTemplate } from '../support/templates.js';

/**
 * The audit trail (README, Audit trail): one structured line per request that creates, deletes or
 * changes a device or hands out keys, naming the caller (`local` on the local server, API
 * Gateway's IAM principal or JWT subject when deployed) and never carrying a secret.
 */
const env = useStack({ api: true, workers: true });
const name = runNames('audit');
const TEMPLATE = 'audit-device';

beforeAll(async () => {
  await putTemplate(env.stack, TEMPLATE, {
    Parameters: { ThingName: { Type: 'String' }, CertificateId: { Type: 'String' } },
    Resources: {
      thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } },
      certificate: {
        Type: 'AWS::IoT::Certificate',
        Properties: { CertificateId: { Ref: 'CertificateId' }, Status: 'ACTIVE' },
      },
    },
    CDF: { createDeviceAWSCertificate: true },
  });
});

function auditLines(): Record<string, unknown>[] {
  return env.stack
    .logs()
    .split('\n')
    .filter((line) => line.includes('"audit":true'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The base64 body of a PEM key: no log line may hold any of it. */
const keyBody = (pem: string) => pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));

function expectNoSecret(keys: string[]): void {
  const logs = env.stack.logs();
  expect(logs).not.toContain('PRIVATE KEY');
  for (const key of keys) for (const line of keyBody(key)) expect(logs).not.toContain(line);
}

describe('audit trail', () => {
  it('names the local caller for a device, its key read and its purge, and never logs the key', async () => {
    const thingName = name('single');
    const made = await request(env.api.url, 'POST', '/things', {
      body: { provisioningTemplateId: TEMPLATE, parameters: { ThingName: thingName } },
      headers: { prefer: 'wait=25' },
    });
    expect(made.status).toBe(201);
    const taskId = String(made.body.taskId);
    const read = await request(env.api.url, 'GET', `/provisioningtasks/${taskId}`);
    expect(typeof read.body.privateKey).toBe('string');
    expect((await request(env.api.url, 'DELETE', `/provisioningtasks/${taskId}/privatekey`)).status).toBe(
      204,
    );

    const mine = auditLines().filter((l) => l.taskId === taskId);
    const local = { actor: 'local', actorType: 'local', via: 'api', outcome: 'succeeded' };
    expect(mine).toEqual([
      expect.objectContaining({ ...local, action: 'device.provision', thingName, keysReturned: 1 }),
      expect.objectContaining({ ...local, action: 'keys.read', thingName, keysReturned: 1 }),
      expect.objectContaining({ ...local, action: 'keys.purge', keysPurged: 1 }),
    ]);
    expectNoSecret([String(made.body.privateKey), String(read.body.privateKey)]);
  });

  it('counts the keys a bulk task’s results hand out (paged and streamed) and the keys purged', async () => {
    const things = [name('bulk-a'), name('bulk-b')];
    const submitted = await request(env.api.url, 'POST', '/bulkthings', {
      body: { provisioningTemplateId: TEMPLATE, parameters: things.map((ThingName) => ({ ThingName })) },
    });
    const bulkTaskId = String(submitted.body.taskId);
    await pollBulk(env.api.url, bulkTaskId);
    const results = await allResults(env.api.url, bulkTaskId);
    const streamed = await fetch(`${env.api.url}/bulkthings/${bulkTaskId}/results`, {
      headers: { accept: 'application/x-ndjson' },
    });
    expect(streamed.status).toBe(200);
    await streamed.text();
    const purged = await request(env.api.url, 'DELETE', `/bulkthings/${bulkTaskId}/privatekeys`);
    expect(purged.body).toEqual({ purged: 2, complete: true });

    const mine = auditLines().filter((l) => l.bulkTaskId === bulkTaskId);
    expect(mine.map((l) => [l.action, l.actor, l.keysReturned ?? l.keysPurged])).toEqual([
      ['bulk.submit', 'local', undefined],
      ['keys.read', 'local', 2],
      ['keys.read', 'local', 2],
      ['keys.purge', 'local', 2],
    ]);
    expectNoSecret(results.map((r) => String(r.privateKey)));
  });

  it('names API Gateway’s caller: the IAM principal (REST and HTTP API) or the JWT subject', async () => {
    // The Lambda adapter hands the handler API Gateway's event as `c.env.event`.
    const app = createApp(env.stack.services);
    const contexts = [
      { identity: { userArn: 'arn:aws:iam::123456789012:user/line7', sourceIp: '10.0.0.7' } },
      {
        http: { sourceIp: '10.0.0.8' },
        authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:role/mes' } },
      },
      { http: { sourceIp: '10.0.0.9' }, authorizer: { jwt: { claims: { sub: 'operator-42' } } } },
    ];
    const thingName = name('gone');
    for (const requestContext of contexts) {
      const res = await app.request(
        `/things/${thingName}`,
        { method: 'DELETE' },
        { event: { requestContext } },
      );
      expect(res.status).toBe(404);
    }
    expect(auditLines().filter((l) => l.thingName === thingName)).toEqual([
      expect.objectContaining({
        action: 'thing.delete',
        actor: 'arn:aws:iam::123456789012:user/line7',
        actorType: 'iam',
        sourceIp: '10.0.0.7',
        outcome: 'refused',
        status: 404,
      }),
      expect.objectContaining({ actor: 'arn:aws:iam::123456789012:role/mes', actorType: 'iam' }),
      expect.objectContaining({ actor: 'operator-42', actorType: 'jwt', sourceIp: '10.0.0.9' }),
    ]);
  });
});
