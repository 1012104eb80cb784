import { describe, expect, it } from '@jest/globals';
import {
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  GetPolicyCommand,
} from '@aws-sdk/client-iot';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomUUID } from 'node:crypto';
import { allResults, pollBulk } from '../support/bulk.js';
import { request } from '../support/http.js';
import { principalsOf, thingExists } from '../support/iot-registry.js';
import { runNames } from '../support/names.js';
import { useStack } from '../support/stack.js';

/**
 * The bulk API of issue 9 on the emulator: CSV bodies and files, Idempotency-Key, dry runs,
 * existingThings, results filters, retries and key purges, asserting on the registry and the table.
 */
const env = useStack({
  env: { BULK_CHUNK_SIZE: '3', BULK_CHUNKS_IN_FLIGHT: '2' },
  api: true,
  workers: true,
  templates: ['thing-only', 'site-policy'],
});
const name = runNames('bapi');
const json = (body: unknown, headers: Record<string, string> = {}) => ({ body, headers });

async function postCsv(csv: string | Buffer, query: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${env.api.url}/bulkthings?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv; charset=utf-8', ...headers },
    body: csv,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function finished(taskId: unknown) {
  return pollBulk(env.api.url, String(taskId));
}

/** A thing that exists already, with (or without) a certificate attached. */
async function existingThing(thingName: string, withCertificate: boolean): Promise<void> {
  const iot = env.stack.clients.iot;
  await iot.send(new CreateThingCommand({ thingName }));
  if (!withCertificate) return;
  const cert = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  await iot.send(new AttachThingPrincipalCommand({ thingName, principal: cert.certificateArn }));
}

describe('CSV input', () => {
  it('reads a spreadsheet CSV body: BOM, CRLF, quotes, semicolons, UTF-8, a short record, empty lines', async () => {
    const [a, b, c] = [name('csv-a'), name('csv-b'), name('csv-c')];
    const csv = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        // Note: a column the template does not declare, which the real run ignores.
        `ThingName;Site;Note\r\n${a};"Zürich; Nord";\r\n\r\n"${b}";x;"say ""hi""\r\non two lines"\r\n` +
          `${c}\r\n;;\r\n${name('csv-d')};Köln;x;extra\r\n`,
      ),
    ]);
    const submitted = await postCsv(csv, 'provisioningTemplateId=site-policy');
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ source: 'csv', dryRun: false, existingThings: 'refuse' });
    expect(await finished(submitted.body.taskId)).toMatchObject({
      status: 'CompletedWithFailures',
      totalCount: 4,
      successCount: 2,
      failureCount: 2,
    });
    const results = await allResults(env.api.url, String(submitted.body.taskId));
    // Line numbers are the physical lines where records start (the header is line 1).
    expect(results.map((r) => [r.line, r.status, (r.error as { code?: string } | undefined)?.code])).toEqual([
      [2, 'SUCCEEDED', undefined],
      [4, 'SUCCEEDED', undefined],
      [6, 'FAILED', 'BULK_LINE_INVALID'],
      [8, 'FAILED', 'BULK_LINE_INVALID'],
    ]);
    // The quoted values arrive intact (delimiter, line break, UTF-8) in the policy AWS IoT stores.
    const documentOf = async (line: number) => {
      const arns = results.find((r) => r.line === line)?.resourceArns as Record<string, string>;
      const policy = await env.stack.clients.iot.send(
        new GetPolicyCommand({ policyName: arns.sitePolicy?.split('/').pop() }),
      );
      return JSON.parse(policy.policyDocument ?? '{}') as unknown;
    };
    expect(JSON.stringify(await documentOf(2))).toContain(`topic/sites/Zürich; Nord/${a}`);
    expect(JSON.stringify(await documentOf(4))).toContain(`topic/sites/x/${b}`);
    expect(await thingExists(env.stack.clients.iot, c)).toBe(false);
  });

  it('reads an input file whose key ends in .csv as CSV, uploaded through a pre-signed URL', async () => {
    const ticket = await request(env.api.url, 'POST', '/bulkthings/uploads', json({ fileName: 'line7.CSV' }));
    expect(ticket.status).toBe(201);
    const { uploadUrl, headers, inputFile } = ticket.body as {
      uploadUrl: string;
      headers: Record<string, string>;
      inputFile: { bucket: string; key: string };
    };
    expect(inputFile.key).toMatch(/^bulk-inputs\/uploads\/[0-9a-f-]{36}\.csv$/);
    const [a, b] = [name('up-a'), name('up-b')];
    const put = await fetch(uploadUrl, { method: 'PUT', headers, body: `ThingName,Site\n${a},x\n${b},y\n` });
    expect(put.status).toBe(200);

    const submitted = await request(
      env.api.url,
      'POST',
      '/bulkthings',
      json({ provisioningTemplateId: 'thing-only', inputFile }),
    );
    expect(submitted.status).toBe(202);
    expect(await finished(submitted.body.taskId)).toMatchObject({ status: 'Completed', successCount: 2 });
    expect(await thingExists(env.stack.clients.iot, b)).toBe(true);
  });

  it('refuses a CSV that cannot work before recording anything', async () => {
    const empty = await postCsv('', 'provisioningTemplateId=thing-only');
    expect([empty.status, empty.body.code]).toEqual([400, 'BULK_INPUT_EMPTY']);
    const header = await postCsv('ThingName,,Site\nx,y,z\n', 'provisioningTemplateId=thing-only');
    expect([header.status, header.body.code]).toEqual([400, 'BULK_CSV_HEADER_INVALID']);
    const unknownField = await postCsv('ThingName\nx\n', 'provisioningTemplateId=thing-only&colour=red');
    expect([unknownField.status, unknownField.body.code]).toEqual([400, 'REQUEST_INVALID']);
    const latin1 = await postCsv('ThingName\nx\n', 'provisioningTemplateId=thing-only', {
      'content-type': 'text/csv; charset=iso-8859-1',
    });
    expect([latin1.status, latin1.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });
});

describe('Idempotency-Key on POST /bulkthings', () => {
  it('the same key and request is the same task; another request under it is a 409', async () => {
    const key = name('idem-inline');
    const body = { provisioningTemplateId: 'thing-only', parameters: [{ ThingName: name('idem-1') }] };
    const first = await request(env.api.url, 'POST', '/bulkthings', json(body, { 'idempotency-key': key }));
    const again = await request(env.api.url, 'POST', '/bulkthings', json(body, { 'idempotency-key': key }));
    expect([first.status, again.status]).toEqual([202, 200]);
    expect(again.body.taskId).toBe(first.body.taskId);
    const other = await request(
      env.api.url,
      'POST',
      '/bulkthings',
      json({ ...body, existingThings: 'skip' }, { 'idempotency-key': key }),
    );
    expect([other.status, other.body.code]).toEqual([409, 'TASK_ID_REUSED']);
    await finished(first.body.taskId);
  });

  it('judges a file by its content: the same bytes under a new key are the same request', async () => {
    const bucket = env.stack.config.templates.bucket;
    const csv = `ThingName\n${name('idem-file')}\n`;
    for (const key of ['runs/one.csv', 'runs/two.csv'])
      await env.stack.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: csv }));
    await env.stack.clients.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'runs/three.csv', Body: `${csv}${name('more')}\n` }),
    );
    const submit = (key: string) =>
      request(
        env.api.url,
        'POST',
        '/bulkthings',
        json(
          { provisioningTemplateId: 'thing-only', inputFile: { bucket, key } },
          { 'idempotency-key': `file:${createHash('sha256').update(csv).digest('hex')}` },
        ),
      );
    const first = await submit('runs/one.csv');
    const second = await submit('runs/two.csv');
    const changed = await submit('runs/three.csv');
    expect([first.status, second.status, changed.status]).toEqual([202, 200, 409]);
    expect(second.body.taskId).toBe(first.body.taskId);
    await finished(first.body.taskId);
  });
});

describe('dry run', () => {
  it('reports every kind of bad line, counts by code, and creates nothing', async () => {
    const [good, twice, exists, hasCert] = [
      name('dry-good'),
      name('dry-twice'),
      name('dry-exists'),
      name('dry-cert'),
    ];
    await existingThing(exists, false);
    await existingThing(hasCert, true);
    const csv = [
      'ThingName,Site,Colour',
      `${good},a,`, // 2: fine
      'bad name,a,', // 3: AWS IoT refuses the name
      ',a,', // 4: ThingName missing
      `${twice},a,`, // 5: fine, first of two
      `${name('dry-colour')},a,red`, // 6: a column the template does not declare
      `${twice},b,`, // 7: duplicate of line 5
      `${exists},a,`, // 8: exists, no certificate: a warning
      `${hasCert},a,`, // 9: has a certificate
      `${name('dry-short')},a`, // 10: a field missing
      `${name('dry-attr')},a*b,`, // 11: an attribute value AWS IoT refuses
    ].join('\n');
    const submitted = await postCsv(csv, 'provisioningTemplateId=thing-only&dryRun=true');
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ dryRun: true, problemCounts: {} });
    const done = await finished(submitted.body.taskId);
    expect(done).toMatchObject({
      status: 'CompletedWithFailures',
      totalCount: 10,
      successCount: 3,
      failureCount: 7,
      problemCounts: {
        THING_NAME_INVALID: 1,
        TEMPLATE_PARAMETER_MISSING: 1,
        TEMPLATE_PARAMETER_UNKNOWN: 1,
        THING_NAME_DUPLICATE: 1,
        THING_HAS_CERTIFICATE: 1,
        BULK_LINE_INVALID: 1,
        ATTRIBUTE_INVALID: 1,
      },
    });
    const problems = await allResults(env.api.url, String(submitted.body.taskId));
    expect(
      problems.map((r) => [
        r.line,
        r.status,
        (r.error as { code?: string } | undefined)?.code ?? (r.warning as { code: string }).code,
      ]),
    ).toEqual([
      [3, 'FAILED', 'THING_NAME_INVALID'],
      [4, 'FAILED', 'TEMPLATE_PARAMETER_MISSING'],
      [6, 'FAILED', 'TEMPLATE_PARAMETER_UNKNOWN'],
      [7, 'FAILED', 'THING_NAME_DUPLICATE'],
      [8, 'SUCCEEDED', 'THING_EXISTS'],
      [9, 'FAILED', 'THING_HAS_CERTIFICATE'],
      [10, 'FAILED', 'BULK_LINE_INVALID'],
      [11, 'FAILED', 'ATTRIBUTE_INVALID'],
    ]);
    expect((problems[3]?.error as { message: string }).message).toContain('also on line 5');
    const failed = await request(
      env.api.url,
      'GET',
      `/bulkthings/${String(submitted.body.taskId)}/results?status=FAILED`,
    );
    expect((failed.body.results as unknown[]).length).toBe(7);
    for (const thing of [good, twice]) expect(await thingExists(env.stack.clients.iot, thing)).toBe(false);
    expect(await principalsOf(env.stack.clients.iot, hasCert)).toHaveLength(1);
  });

  it('follows existingThings: a thing with a certificate is skipped, or would get another', async () => {
    const thing = name('dry-choice');
    await existingThing(thing, true);
    const csv = `ThingName\n${thing}\n`;
    const skip = await postCsv(csv, 'provisioningTemplateId=thing-only&dryRun=true&existingThings=skip');
    expect(await finished(skip.body.taskId)).toMatchObject({ status: 'Completed', skippedCount: 1 });
    const provision = await postCsv(
      csv,
      'provisioningTemplateId=thing-only&dryRun=true&existingThings=provision',
    );
    expect(await finished(provision.body.taskId)).toMatchObject({ status: 'Completed', successCount: 1 });
    const [result] = await allResults(env.api.url, String(provision.body.taskId));
    expect(result).toMatchObject({ status: 'SUCCEEDED', warning: { code: 'THING_HAS_CERTIFICATE' } });
  });
});

describe('existingThings in a real run', () => {
  it('refuse fails the line, skip leaves the thing alone, provision gives it a second certificate', async () => {
    const [refused, skipped, again] = [name('ex-r'), name('ex-s'), name('ex-p')];
    for (const thing of [refused, skipped, again]) await existingThing(thing, true);
    const run = async (thing: string, existingThings?: string) => {
      const fresh = name(`ex-new-${existingThings ?? 'default'}`);
      const submitted = await request(
        env.api.url,
        'POST',
        '/bulkthings',
        json({
          provisioningTemplateId: 'aws-certificate',
          parameters: [{ ThingName: thing }, { ThingName: fresh }],
          ...(existingThings !== undefined ? { existingThings } : {}),
        }),
      );
      return {
        view: await finished(submitted.body.taskId),
        results: await allResults(env.api.url, String(submitted.body.taskId)),
      };
    };
    const refusedRun = await run(refused);
    expect(refusedRun.view).toMatchObject({
      status: 'CompletedWithFailures',
      successCount: 1,
      failureCount: 1,
    });
    expect(refusedRun.results[0]).toMatchObject({
      status: 'FAILED',
      error: { code: 'THING_HAS_CERTIFICATE' },
    });
    expect(refusedRun.results[1]).toMatchObject({ status: 'SUCCEEDED' });
    expect(await principalsOf(env.stack.clients.iot, refused)).toHaveLength(1);

    const skippedRun = await run(skipped, 'skip');
    expect(skippedRun.view).toMatchObject({ status: 'Completed', skippedCount: 1, failureCount: 0 });
    expect(skippedRun.results[0]).toMatchObject({
      line: 1,
      status: 'SKIPPED',
      thingName: skipped,
      warning: { code: 'THING_HAS_CERTIFICATE' },
    });
    expect(await principalsOf(env.stack.clients.iot, skipped)).toHaveLength(1);

    const provisionRun = await run(again, 'provision');
    expect(provisionRun.view).toMatchObject({ status: 'Completed', successCount: 2 });
    expect(await principalsOf(env.stack.clients.iot, again)).toHaveLength(2);
  });

  it('two lines naming one thing never give it two certificates', async () => {
    const thing = name('twin');
    const submitted = await request(
      env.api.url,
      'POST',
      '/bulkthings',
      json({
        provisioningTemplateId: 'aws-certificate',
        parameters: [{ ThingName: thing }, { ThingName: thing }],
      }),
    );
    expect(await finished(submitted.body.taskId)).toMatchObject({ successCount: 1, failureCount: 1 });
    const results = await allResults(env.api.url, String(submitted.body.taskId));
    expect(results.map((r) => (r.error as { code?: string } | undefined)?.code).filter(Boolean)).toEqual([
      'THING_NAME_DUPLICATE',
    ]);
    expect(await principalsOf(env.stack.clients.iot, thing)).toHaveLength(1);
  });
});

describe('results, retry and key purges', () => {
  it('filters results by status and refuses an unknown one', async () => {
    const submitted = await request(
      env.api.url,
      'POST',
      '/bulkthings',
      json({
        provisioningTemplateId: 'thing-only',
        parameters: [{ ThingName: name('f-ok') }, { ThingName: 'bad name' }],
      }),
    );
    const taskId = String(submitted.body.taskId);
    await finished(taskId);
    const lines = async (query: string) =>
      (
        (await request(env.api.url, 'GET', `/bulkthings/${taskId}/results?${query}`)).body.results as {
          line: number;
        }[]
      ).map((r) => r.line);
    expect(await lines('status=FAILED')).toEqual([2]);
    expect(await lines('status=SUCCEEDED')).toEqual([1]);
    expect(await lines('status=SKIPPED')).toEqual([]);
    const streamed = await fetch(`${env.api.url}/bulkthings/${taskId}/results?status=FAILED`, {
      headers: { accept: 'application/x-ndjson' },
    });
    expect(
      (await streamed.text())
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { line: number }).line),
    ).toEqual([2]);
    const bad = await request(env.api.url, 'GET', `/bulkthings/${taskId}/results?status=DONE`);
    expect([bad.status, bad.body.code]).toEqual([400, 'RESULTS_QUERY_INVALID']);
  });

  it('retries the failed lines of a finished task, keeping their line numbers, once per key', async () => {
    const template = `needs-site-${name('t')}`;
    // Every line fails until the template stops refusing its Site value.
    const strict = {
      Parameters: { ThingName: { Type: 'String' }, Site: { Type: 'String', AllowedValues: ['a'] } },
      Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'ThingName' } } } },
    };
    await request(env.api.url, 'PUT', `/templates/${template}`, json(strict));
    const ok = name('r-ok');
    const [b, c] = [name('r-b'), name('r-c')];
    const csv = `ThingName,Site\n${ok},a\n${b},b\n\n${c},c\n`;
    const first = await postCsv(csv, `provisioningTemplateId=${template}`);
    const original = String(first.body.taskId);
    expect(await finished(original)).toMatchObject({ successCount: 1, failureCount: 2 });

    await request(
      env.api.url,
      'PUT',
      `/templates/${template}`,
      json({ ...strict, Parameters: { ...strict.Parameters, Site: { Type: 'String' } } }),
    );
    const retried = await request(
      env.api.url,
      'POST',
      `/bulkthings/${original}/retry`,
      json({}, { 'idempotency-key': `retry:${original}` }),
    );
    const again = await request(
      env.api.url,
      'POST',
      `/bulkthings/${original}/retry`,
      json({}, { 'idempotency-key': `retry:${original}` }),
    );
    expect([retried.status, again.status]).toEqual([202, 200]);
    expect(retried.body).toMatchObject({ retryOf: original, source: 'retry' });
    expect(again.body.taskId).toBe(retried.body.taskId);
    expect(await finished(retried.body.taskId)).toMatchObject({
      status: 'Completed',
      totalCount: 2,
      successCount: 2,
    });
    const results = await allResults(env.api.url, String(retried.body.taskId));
    expect(results.map((r) => [r.line, r.thingName, r.status])).toEqual([
      [3, b, 'SUCCEEDED'],
      [5, c, 'SUCCEEDED'],
    ]);
  });

  it('refuses a retry of a task that runs, or that has nothing to retry', async () => {
    const at = new Date().toISOString();
    const running = randomUUID();
    await env.stack.services.bulk.create({
      taskId: running,
      status: 'InProgress',
      provisioningTemplateId: 'thing-only',
      input: { bucket: env.stack.config.templates.bucket, key: 'bulk-inputs/none.ndjson' },
      successCount: 0,
      failureCount: 1,
      creationDate: at,
      lastModifiedDate: at,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    const early = await request(env.api.url, 'POST', `/bulkthings/${running}/retry`);
    expect([early.status, early.body.code]).toEqual([409, 'BULK_TASK_NOT_FINISHED']);
    const submitted = await request(
      env.api.url,
      'POST',
      '/bulkthings',
      json({ provisioningTemplateId: 'thing-only', parameters: [{ ThingName: name('nr') }] }),
    );
    await finished(submitted.body.taskId);
    const late = await request(env.api.url, 'POST', `/bulkthings/${String(submitted.body.taskId)}/retry`);
    expect([late.status, late.body.code]).toEqual([400, 'BULK_NOTHING_TO_RETRY']);
  });

  it("purges a bulk task's keys and a single task's key; results then carry none", async () => {
    const thing = name('purge');
    const submitted = await request(
      env.api.url,
      'POST',
      '/bulkthings',
      json({ provisioningTemplateId: 'aws-certificate', parameters: [{ ThingName: thing }] }),
    );
    const taskId = String(submitted.body.taskId);
    await finished(taskId);
    expect(JSON.stringify(await allResults(env.api.url, taskId))).toContain('PRIVATE KEY');
    const purged = await request(env.api.url, 'DELETE', `/bulkthings/${taskId}/privatekeys`);
    expect(purged.body).toEqual({ purged: 1, complete: true });
    expect(JSON.stringify(await allResults(env.api.url, taskId))).not.toContain('PRIVATE KEY');
    expect((await request(env.api.url, 'DELETE', `/bulkthings/${taskId}/privatekeys`)).body).toEqual({
      purged: 0,
      complete: true,
    });

    const single = await request(env.api.url, 'POST', '/things', {
      body: { provisioningTemplateId: 'aws-certificate', parameters: { ThingName: name('purge-1') } },
      headers: { prefer: 'wait=20' },
    });
    expect(single.body.privateKey).toContain('PRIVATE KEY');
    const id = String(single.body.taskId);
    expect((await request(env.api.url, 'DELETE', `/provisioningtasks/${id}/privatekey`)).status).toBe(204);
    expect((await request(env.api.url, 'DELETE', `/provisioningtasks/${id}/privatekey`)).status).toBe(204);
    const view = await request(env.api.url, 'GET', `/provisioningtasks/${id}`);
    expect(view.body).toMatchObject({
      status: 'SUCCEEDED',
      thingName: name('purge-1'),
      provisioningTemplateId: 'aws-certificate',
      source: 'api',
    });
    expect(view.body.privateKey).toBeUndefined();
    expect((await request(env.api.url, 'DELETE', '/provisioningtasks/no-such-task/privatekey')).status).toBe(
      404,
    );
  });
});
