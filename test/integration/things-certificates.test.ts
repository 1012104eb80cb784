import { describe, expect, it } from '@jest/globals';
import { AttachThingPrincipalCommand, CreateThingCommand, type CertificateStatus } from '@aws-sdk/client-iot';
import { createApp } from '../../api/app.js';
import { startServer } from '../../api/server.js';
import { createAwsClients, clientOptionsFrom } from '../../src/aws/clients.js';
import { runNames } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { request } from '../support/http.js';
import { certificateStatus } from '../support/iot-registry.js';
import { certificateWithStatus } from '../support/iot-setup.js';

const env = useStack({ api: true });
const name = runNames('cert');

const iot = () => env.stack.clients.iot;

/** A thing with one certificate per status given; returns the certificate ids in that order. */
async function thingWith(thingName: string, statuses: CertificateStatus[]): Promise<string[]> {
  await iot().send(new CreateThingCommand({ thingName }));
  const ids: string[] = [];
  for (const status of statuses) {
    const { id, arn } = await certificateWithStatus(iot(), status);
    await iot().send(new AttachThingPrincipalCommand({ thingName, principal: arn }));
    ids.push(id);
  }
  return ids;
}

const patch = (url: string, thingName: string, body: unknown) =>
  request(url, 'PATCH', `/things/${thingName}/certificates`, { body });
const statuses = (ids: string[]) => Promise.all(ids.map((id) => certificateStatus(iot(), id)));

describe('PATCH /things/{thingName}/certificates', () => {
  it('sets every certificate to each status in turn (204), IN_ACTIVE meaning INACTIVE', async () => {
    const thingName = name('cycle');
    const ids = await thingWith(thingName, ['ACTIVE', 'ACTIVE', 'INACTIVE']);
    for (const [sent, stored] of [
      ['INACTIVE', 'INACTIVE'],
      ['ACTIVE', 'ACTIVE'],
      ['IN_ACTIVE', 'INACTIVE'],
      ['REVOKED', 'REVOKED'],
      ['REVOKED', 'REVOKED'],
    ] as const) {
      const res = await patch(env.api.url, thingName, { certificateStatus: sent });
      expect(res.status).toBe(204);
      expect(await statuses(ids)).toEqual([stored, stored, stored]);
    }
  });

  it('refuses (409) to bring back a REVOKED certificate, changing none of the others', async () => {
    const thingName = name('revoked');
    const ids = await thingWith(thingName, ['ACTIVE', 'REVOKED', 'INACTIVE']);
    // moto would allow it; AWS IoT never lets a certificate leave REVOKED.
    const res = await patch(env.api.url, thingName, { certificateStatus: 'INACTIVE' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CERTIFICATE_STATUS_LOCKED');
    expect(res.body.message).toContain(`Certificate ${ids[1]} is REVOKED`);
    expect(await statuses(ids)).toEqual(['ACTIVE', 'REVOKED', 'INACTIVE']);
  });

  it('a thing without certificates is already done (204)', async () => {
    const thingName = name('none');
    await thingWith(thingName, []);
    expect((await patch(env.api.url, thingName, { certificateStatus: 'ACTIVE' })).status).toBe(204);
  });

  it.each([
    ['an unknown status', { certificateStatus: 'ENABLED' }],
    ['no status', {}],
    ['an extra field', { certificateStatus: 'ACTIVE', certificateId: 'x' }],
    ['a list', ['ACTIVE']],
  ])('400 for %s', async (_name, body) => {
    const thingName = name('validation');
    const res = await patch(env.api.url, thingName, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('REQUEST_INVALID');
    expect(res.body.message).toMatch(/certificateStatus|body/);
  });

  it('404 for an unknown thing, 400 for a bad name, 415 for a body that is not JSON', async () => {
    const unknown = await patch(env.api.url, name('never-made'), { certificateStatus: 'ACTIVE' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('THING_NOT_FOUND');
    const bad = await patch(env.api.url, 'bad%20name', { certificateStatus: 'ACTIVE' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('THING_NAME_INVALID');
    const text = await request(env.api.url, 'PATCH', `/things/${name('x')}/certificates`, {
      rawBody: 'ACTIVE',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });

  it('a failure part way reports exactly which certificates changed, and a repeat finishes the job', async () => {
    const thingName = name('partial');
    const ids = await thingWith(thingName, ['ACTIVE', 'ACTIVE', 'ACTIVE']);
    // AWS throttling the second UpdateCertificate, past the SDK's own retries.
    const clients = createAwsClients(clientOptionsFrom(env.stack.config));
    let updates = 0;
    clients.iot.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateCertificateCommand' && ++updates === 2) {
          throw Object.assign(new Error('Rate exceeded'), {
            name: 'ThrottlingException',
            $metadata: { httpStatusCode: 429 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'throttleSecondUpdate' },
    );
    const throttled = await startServer(createApp({ ...env.stack.services, iot: clients.iot }), 0);
    try {
      const res = await patch(throttled.url, thingName, { certificateStatus: 'INACTIVE' });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'CERTIFICATE_STATUS_PARTIAL' });
      const changed = res.body.changed as string[];
      const notChanged = res.body.notChanged as string[];
      expect(changed).toHaveLength(1);
      expect([...changed, ...notChanged].sort()).toEqual([...ids].sort());
      expect(res.body.message).toContain(`Set 1 of 3 certificates of thing '${thingName}' to INACTIVE`);
      for (const id of changed) expect(await certificateStatus(iot(), id)).toBe('INACTIVE');
      for (const id of notChanged) expect(await certificateStatus(iot(), id)).toBe('ACTIVE');
      expect(env.stack.logs()).toContain('certificate status partly set');
    } finally {
      await throttled.close();
      clients.destroy();
    }
    expect((await patch(env.api.url, thingName, { certificateStatus: 'INACTIVE' })).status).toBe(204);
    expect(await statuses(ids)).toEqual(['INACTIVE', 'INACTIVE', 'INACTIVE']);
  });
});
