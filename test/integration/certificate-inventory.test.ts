import { beforeAll, describe, expect, it } from '@jest/globals';
import { RegisterCertificateWithoutCACommand } from '@aws-sdk/client-iot';
import type { TSchema } from 'typebox';
import { openApiDocument } from '../../api/openapi.js';
import type { ExpiryFigures } from '../../src/lifecycle/expiry-gauge.js';
import { validator } from '../../src/validation.js';
import { prometheusExpiryGauge } from '../../workers/expiry-gauges.js';
import { lifecycleRuntime } from '../../workers/lifecycle-compose.js';
import { pemValidFor, provisionWithPem, type TestCertificate } from '../support/inventory.js';
import { request } from '../support/http.js';
import { metricSum, metricsText } from '../support/metrics.js';
import { unique } from '../support/names.js';
import { useStack } from '../support/stack.js';

/**
 * The inventory against certificates of known not-after dates: what GET /certificates lists, in
 * which order, a page at a time; the expiry figures of the lifecycle tick; the backfill.
 */
// The backfill reads every certificate of the emulator's account: an emulator of its own, so the
// job's size is this file's few certificates, not what other files registered before it.
const env = useStack({ templates: ['certificate-pem'], api: true, ownEmulator: true });
const DAY_MS = 86_400_000;
const byDays = new Map<number, TestCertificate & { thingName: string }>();

type Listed = { certificateId: string; notAfter: string; thingName: string; mode: string; issuer: string };
const list = async (query: string) =>
  request<{ certificates: Listed[]; nextToken?: string; code?: string }>(
    env.api.url,
    'GET',
    `/certificates${query}`,
  );
const ids = (days: number[]) => days.map((d) => byDays.get(d)?.certificateId);

const schemas = (openApiDocument() as { components: { schemas: Record<string, TSchema> } }).components
  .schemas;
const conforms = (schema: string, body: unknown) => {
  expect([schema, validator(schemas[schema] as TSchema).problems(body)]).toEqual([schema, []]);
};

beforeAll(async () => {
  for (const days of [400, 5, 100, 20]) {
    const thingName = unique(`inv${days}`);
    byDays.set(days, { ...(await provisionWithPem(env.stack, thingName, days)), thingName });
  }
});

describe('GET /certificates', () => {
  it('lists what expires within N days, soonest first, with its thing, not-after, issuer and mode', async () => {
    const within10 = await list('?expiringWithinDays=10');
    expect(within10.status).toBe(200);
    conforms('CertificateList', within10.body);
    expect(within10.body.certificates.map((c) => c.certificateId)).toEqual(ids([5]));
    const [five] = within10.body.certificates;
    const expectedNotAfter = Date.now() + 5 * DAY_MS;
    expect(Math.abs(Date.parse(five?.notAfter ?? '') - expectedNotAfter)).toBeLessThan(DAY_MS / 24);
    expect(five).toMatchObject({ thingName: byDays.get(5)?.thingName, mode: 'registered', status: 'ACTIVE' });
    expect(five?.issuer).toContain('CN=device-');

    expect((await list('?expiringWithinDays=30')).body.certificates.map((c) => c.certificateId)).toEqual(
      ids([5, 20]),
    );
    expect((await list('')).body.certificates.map((c) => c.certificateId)).toEqual(ids([5, 20, 100, 400]));
    expect((await list('?expiringWithinDays=1')).body).toEqual({ certificates: [] });
  });

  it('pages with limit and nextToken through the same answer', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await list(`?expiringWithinDays=365&limit=1${token ? `&nextToken=${token}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.certificates.map((c) => c.certificateId));
      token = page.body.nextToken;
      pages++;
    } while (token !== undefined && pages < 10);
    expect(seen).toEqual(ids([5, 20, 100]));
  });

  it("lists one thing's certificates; 404 for a thing that does not exist", async () => {
    const thing = byDays.get(100)?.thingName ?? '';
    expect((await list(`?thingName=${thing}`)).body.certificates.map((c) => c.certificateId)).toEqual(
      ids([100]),
    );
    expect((await list(`?thingName=${thing}&expiringWithinDays=30`)).body.certificates).toEqual([]);
    expect((await list(`?thingName=${unique('none')}`)).status).toBe(404);
  });

  it('refuses every invalid parameter with 400 and a message naming it', async () => {
    const cases: [string, string, RegExp][] = [
      ['?expiringWithinDays=-1', 'QUERY_PARAMETER_INVALID', /expiringWithinDays/],
      ['?expiringWithinDays=ten', 'QUERY_PARAMETER_INVALID', /expiringWithinDays/],
      ['?limit=0', 'QUERY_PARAMETER_INVALID', /limit/],
      ['?limit=5000', 'QUERY_PARAMETER_INVALID', /limit/],
      ['?expiringWithin=3', 'QUERY_PARAMETER_UNKNOWN', /expiringWithin/],
      ['?thingName=a%20b', 'QUERY_PARAMETER_INVALID', /thingName/],
      ['?nextToken=garbage', 'NEXT_TOKEN_INVALID', /nextToken/],
    ];
    for (const [query, code, message] of cases) {
      const res = await request(env.api.url, 'GET', `/certificates${query}`);
      expect([query, res.status, res.body.code]).toEqual([query, 400, code]);
      expect(String(res.body.message)).toMatch(message);
    }
    const first = await list('?expiringWithinDays=365&limit=1');
    const other = await request(
      env.api.url,
      'GET',
      `/certificates?expiringWithinDays=30&limit=1&nextToken=${first.body.nextToken ?? ''}`,
    );
    expect([other.status, other.body.code]).toEqual([400, 'NEXT_TOKEN_INVALID']);
  });

  it('GET /certificates/{id} answers the record; 404 for one it does not know', async () => {
    const five = byDays.get(5);
    const res = await request(env.api.url, 'GET', `/certificates/${five?.certificateId ?? ''}`);
    expect(res.status).toBe(200);
    conforms('CertificateDetail', res.body);
    expect(res.body).toMatchObject({ certificateArn: five?.certificateArn, source: 'task', deviceKey: true });
    const unknown = await request(env.api.url, 'GET', `/certificates/${'a'.repeat(64)}`);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'CERTIFICATE_NOT_IN_INVENTORY']);
  });
});

describe('the expiry figures', () => {
  it('count the certificates expiring within CERT_EXPIRY_WARNING_DAYS, for the gauge and GET /metrics', async () => {
    const { stack } = env;
    const reported: ExpiryFigures[] = [];
    const prometheus = prometheusExpiryGauge(stack.metrics, stack.services.logger);
    const runtime = lifecycleRuntime({
      config: stack.config,
      clients: stack.clients,
      logger: stack.services.logger,
      gauge: {
        report: (f) => {
          reported.push(f);
          prometheus.report(f);
        },
      },
    });
    const report = await runtime.tick(Date.now() + 20_000);
    expect(report.expiry).toMatchObject({ expiring: 2, expired: 0, warningDays: 30 });
    expect(reported).toHaveLength(1);
    const text = await metricsText(stack);
    expect(metricSum(text, 'provisioning_certificates_expiring')).toBe(2);
    expect(metricSum(text, 'provisioning_certificates_expired')).toBe(0);
  });
});

describe('the backfill', () => {
  it('records the certificates AWS IoT has that the inventory lacks, one job at a time', async () => {
    const { stack } = env;
    // Made outside the service: the inventory does not know it.
    const pem = await pemValidFor(3);
    const out = await stack.clients.iot.send(
      new RegisterCertificateWithoutCACommand({ certificatePem: pem, status: 'ACTIVE' }),
    );
    const certificateId = out.certificateId ?? '';
    expect(await stack.services.lifecycle.inventory.get(certificateId)).toBeUndefined();

    const started = await request(env.api.url, 'POST', '/certificates/backfill');
    expect(started.status).toBe(202);
    conforms('BackfillJob', started.body);
    const location = started.headers.get('location') ?? '';
    expect(location).toBe(`/certificates/backfill/${String(started.body.jobId)}`);
    const second = await request(env.api.url, 'POST', '/certificates/backfill');
    expect([second.status, second.body.code]).toEqual([409, 'BACKFILL_RUNNING']);

    const runtime = lifecycleRuntime({
      config: stack.config,
      clients: stack.clients,
      logger: stack.services.logger,
      gauge: { report: () => undefined },
    });
    // A tick gives the job a time budget: it takes as many ticks as the account's size needs.
    for (;;) {
      const report = await runtime.tick(Date.now() + 30_000);
      if (report.backfill === undefined || report.backfill.status === 'COMPLETED') break;
    }
    const job = await request(env.api.url, 'GET', location);
    expect(job.status).toBe(200);
    conforms('BackfillJob', job.body);
    expect(job.body).toMatchObject({ status: 'COMPLETED' });
    expect(Number(job.body.recorded)).toBeGreaterThanOrEqual(1);
    expect(Number(job.body.known)).toBeGreaterThanOrEqual(4);
    expect(await stack.services.lifecycle.inventory.get(certificateId)).toMatchObject({
      source: 'backfill',
      mode: 'unknown',
      status: 'ACTIVE',
      backfillJobId: started.body.jobId,
    });
    // A job that has finished lets the next one start.
    expect((await request(env.api.url, 'POST', '/certificates/backfill')).status).toBe(202);
  }, 600_000);
});
