import { describe, expect, it } from '@jest/globals';
import { AttachThingPrincipalCommand, CreateThingCommand } from '@aws-sdk/client-iot';
import { addCertificate, provisionWithPem } from '../support/inventory.js';
import { certificateStatus, principalsOf } from '../support/iot-registry.js';
import { request } from '../support/http.js';
import { unique } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

/** Retirement by hand (POST …/retire) and on schedule (the workers' lifecycle timer). */
const env = useStack({ templates: ['certificate-pem'], api: true, env: { LIFECYCLE_TICK_SECONDS: '0.3' } });

const retire = (thingName: string, certificateId: string, body?: unknown) =>
  request(env.api.url, 'POST', `/things/${thingName}/certificates/${certificateId}/retire`, {
    ...(body !== undefined ? { body } : {}),
  });

describe('retiring a certificate by hand', () => {
  it('sets it INACTIVE, detaches it, records it RETIRED; a repeat changes nothing', async () => {
    const { stack } = env;
    const thingName = unique('retire');
    const old = await provisionWithPem(stack, thingName, 40);
    const replacement = await addCertificate(stack, thingName, 400);

    const res = await retire(thingName, old.certificateId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ certificateId: old.certificateId, thingName, status: 'RETIRED' });
    expect(await certificateStatus(stack.clients.iot, old.certificateId)).toBe('INACTIVE');
    expect(await principalsOf(stack.clients.iot, thingName)).toEqual([replacement.certificateArn]);
    const record = await stack.services.lifecycle.inventory.get(old.certificateId);
    expect(record).toMatchObject({
      status: 'RETIRED',
      mode: 'registered',
      taskId: old.task.taskId,
      thingName,
    });
    // Out of the expiry index; the replacement is still in it.
    const listed = await request(env.api.url, 'GET', `/certificates?thingName=${thingName}`);
    expect((listed.body.certificates as { certificateId: string }[]).map((c) => c.certificateId)).toEqual([
      replacement.certificateId,
    ]);

    const again = await retire(thingName, old.certificateId);
    expect(again.status).toBe(200);
    expect(again.body.retiredAt).toBe(res.body.retiredAt);
  });

  it("refuses the thing's last ACTIVE certificate (409) unless force", async () => {
    const { stack } = env;
    const thingName = unique('last');
    const only = await provisionWithPem(stack, thingName, 40);

    const refused = await retire(thingName, only.certificateId);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('LAST_ACTIVE_CERTIFICATE');
    expect(await certificateStatus(stack.clients.iot, only.certificateId)).toBe('ACTIVE');
    expect(await principalsOf(stack.clients.iot, thingName)).toEqual([only.certificateArn]);

    const forced = await retire(thingName, only.certificateId, { force: true });
    expect(forced.status).toBe(200);
    expect(await certificateStatus(stack.clients.iot, only.certificateId)).toBe('INACTIVE');
    expect(await principalsOf(stack.clients.iot, thingName)).toEqual([]);
  });

  it('never retires a certificate another thing also uses (409, nothing changed)', async () => {
    const { stack } = env;
    const thingName = unique('shared');
    const other = unique('other');
    const shared = await provisionWithPem(stack, thingName, 40);
    await addCertificate(stack, thingName, 400);
    await stack.clients.iot.send(new CreateThingCommand({ thingName: other }));
    await stack.clients.iot.send(
      new AttachThingPrincipalCommand({ thingName: other, principal: shared.certificateArn }),
    );

    const res = await retire(thingName, shared.certificateId, { force: true });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CERTIFICATE_SHARED');
    expect(String(res.body.message)).toContain(other);
    expect(await certificateStatus(stack.clients.iot, shared.certificateId)).toBe('ACTIVE');
    expect(await principalsOf(stack.clients.iot, thingName)).toContain(shared.certificateArn);
  });

  it('answers 404 for a certificate not attached to the thing, 400 for what is not a certificate id', async () => {
    const { stack } = env;
    const a = unique('a');
    const b = unique('b');
    const ofA = await provisionWithPem(stack, a, 40);
    await provisionWithPem(stack, b, 40);
    const notAttached = await retire(b, ofA.certificateId);
    expect([notAttached.status, notAttached.body.code]).toEqual([404, 'CERTIFICATE_NOT_ATTACHED']);
    const invalid = await retire(a, 'abc');
    expect([invalid.status, invalid.body.code]).toEqual([400, 'CERTIFICATE_ID_INVALID']);
    const badBody = await retire(a, ofA.certificateId, { force: 'yes' });
    expect(badBody.status).toBe(400);
    const unknown = await retire(a, '0'.repeat(64));
    expect([unknown.status, unknown.body.code]).toEqual([404, 'CERTIFICATE_NOT_FOUND']);
  });
});

describe('retiring a certificate on schedule', () => {
  it('happens once, at its time, across a restart of the workers, however many tick', async () => {
    const { stack } = env;
    const thingName = unique('scheduled');
    const old = await provisionWithPem(stack, thingName, 40);
    const replacement = await addCertificate(stack, thingName, 400);
    // The same thing's only other certificate, scheduled too: refused at its time, not done.
    const lone = unique('lone');
    const loneCertificate = await provisionWithPem(stack, lone, 40);

    const at = new Date(Date.now() + 3_000).toISOString();
    const scheduled = await retire(thingName, old.certificateId, { at });
    expect(scheduled.status).toBe(202);
    expect(scheduled.body).toMatchObject({ status: 'SCHEDULED', retireAt: at });
    // Scheduling again (a redelivered rotation) schedules nothing new.
    const repeated = await retire(thingName, old.certificateId, {
      at: new Date(Date.now() + 60_000).toISOString(),
    });
    expect([repeated.status, repeated.body.retireAt]).toEqual([200, at]);
    expect((await retire(lone, loneCertificate.certificateId, { at })).status).toBe(202);

    // Two sets of workers tick, then stop (before or after the time: either way, once).
    let workers = [stack.startWorkers(), stack.startWorkers()];
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all(workers.map((w) => w.stop()));
    workers = [stack.startWorkers(), stack.startWorkers()];
    try {
      const detail = async (id: string) => (await request(env.api.url, 'GET', `/certificates/${id}`)).body;
      const retired = await waitFor(
        'the scheduled retirement',
        () => detail(old.certificateId),
        (c) => (c.retirement as { status?: string } | undefined)?.status === 'RETIRED',
      );
      expect(retired).toMatchObject({
        status: 'RETIRED',
        retirement: { status: 'RETIRED', reason: 'retired' },
      });
      const blocked = await waitFor(
        'the blocked retirement',
        () => detail(loneCertificate.certificateId),
        (c) => (c.retirement as { status?: string } | undefined)?.status === 'BLOCKED',
      );
      expect((blocked.retirement as { reason: string }).reason).toMatch(/^LAST_ACTIVE_CERTIFICATE/);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(at));
    expect(await certificateStatus(stack.clients.iot, old.certificateId)).toBe('INACTIVE');
    expect(await principalsOf(stack.clients.iot, thingName)).toEqual([replacement.certificateArn]);
    expect(await certificateStatus(stack.clients.iot, loneCertificate.certificateId)).toBe('ACTIVE');
    // Claimed and carried out once.
    expect((await stack.services.lifecycle.schedule.get(old.certificateId))?.runs).toBe(1);
    const lines = stack
      .logs()
      .split('\n')
      .filter((l) => l.includes('certificate retired on schedule'));
    expect(lines.filter((l) => l.includes(old.certificateId))).toHaveLength(1);
  });
});
