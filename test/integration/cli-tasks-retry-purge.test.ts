import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateThingGroupCommand } from '@aws-sdk/client-iot';
import { pollBulk } from '../support/bulk.js';
import { runCli } from '../support/cli.js';
import { request } from '../support/http.js';
import { runNames } from '../support/names.js';
import { principalsOf } from '../support/iot-registry.js';
import { useStack } from '../support/stack.js';
import { putTemplate } from '../support/templates.js';

/**
 * `provision tasks`, `retry` and `purge-keys` on the local stack, the CLI run as a separate
 * process: GET /bulkthings, GET /provisioningtasks, POST /bulkthings/{id}/retry,
 * DELETE /bulkthings/{id}/privatekeys and DELETE /provisioningtasks/{id}/privatekey.
 */
const env = useStack({ api: true, workers: true });
const name = runNames('cli-tasks');
const api = () => ['--api', env.api.url];

async function bulk(parameters: Record<string, string>[]): Promise<string> {
  const submitted = await request(env.api.url, 'POST', '/bulkthings', {
    body: { provisioningTemplateId: 'aws-certificate', parameters },
  });
  const taskId = String(submitted.body.taskId);
  await pollBulk(env.api.url, taskId);
  return taskId;
}

describe('provision tasks', () => {
  it('finds yesterday’s batch again: bulk tasks newest first, filtered, as text or JSON', async () => {
    const older = await bulk([{ ThingName: name('list-1') }]);
    const newer = await bulk([{ ThingName: name('list-2') }, { ThingName: 'bad name' }]);
    const all = await runCli(['tasks', '--json', '--limit', '10', ...api()]);
    expect(all.code).toBe(0);
    const ids = (JSON.parse(all.stdout) as { tasks: { taskId: string }[] }).tasks.map((t) => t.taskId);
    expect(ids.indexOf(newer)).toBeLessThan(ids.indexOf(older));
    const failed = await runCli(['tasks', '--status', 'CompletedWithFailures', ...api()]);
    expect(failed.stdout).toContain(newer);
    expect(failed.stdout).not.toContain(older);
  });

  it('lists single-device tasks with --single', async () => {
    const made = await runCli([
      'device',
      '--template',
      'aws-certificate',
      '--param',
      `ThingName=${name('single')}`,
      ...api(),
    ]);
    const taskId = /Task (\S+)/.exec(made.stdout)?.[1] ?? '';
    const listed = await runCli(['tasks', '--single', '--json', ...api()]);
    expect(listed.code).toBe(0);
    expect(
      (JSON.parse(listed.stdout) as { tasks: { taskId: string }[] }).tasks.map((t) => t.taskId),
    ).toContain(taskId);
  });
});

describe('provision retry', () => {
  it('provisions the failed lines again into the same folder, once however often it runs', async () => {
    // Every line fails until the thing group the template names exists; then a retry succeeds.
    const group = name('group');
    await putTemplate(env.stack, 'needs-group', {
      Parameters: { ThingName: { Type: 'String' }, CertificateId: { Type: 'String' } },
      Resources: {
        thing: {
          Type: 'AWS::IoT::Thing',
          Properties: { ThingName: { Ref: 'ThingName' }, ThingGroups: [group] },
        },
        certificate: {
          Type: 'AWS::IoT::Certificate',
          Properties: { CertificateId: { Ref: 'CertificateId' } },
        },
      },
      CDF: { createDeviceAWSCertificate: true },
    });
    const things = [name('retry-1'), name('retry-2')];
    const input = join(await mkdtemp(join(tmpdir(), 'provision-retry-')), 'line7.csv');
    await writeFile(input, `ThingName\n${things.join('\n')}\n`);
    const out = await mkdtemp(join(tmpdir(), 'provision-retry-out-'));
    const first = await runCli(['bulk', input, '--template', 'needs-group', '--out', out, '--yes', ...api()]);
    expect(first.code).toBe(1);
    expect(await readFile(join(out, 'failures.csv'), 'utf8')).toContain(things[0]);
    const taskId = /Provisioning: task (\S+)/.exec(first.stdout)?.[1] ?? '';

    await env.stack.clients.iot.send(new CreateThingGroupCommand({ thingGroupName: group }));
    const retried = await runCli(['retry', taskId, '--out', out, ...api()]);
    expect(retried.code).toBe(0);
    const again = await runCli(['retry', taskId, '--out', out, ...api()]);
    expect(again.stdout).toContain('Already retried');
    expect(again.code).toBe(0);

    const results = (await readFile(join(out, 'results.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; status: string; taskId: string });
    expect(results.sort((a, b) => a.line - b.line).map((r) => [r.line, r.status])).toEqual([
      [2, 'SUCCEEDED'],
      [3, 'SUCCEEDED'],
    ]);
    expect(results.every((r) => r.taskId !== taskId)).toBe(true);
    await expect(readFile(join(out, 'failures.csv'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    for (const thing of things) expect(await principalsOf(env.stack.clients.iot, thing)).toHaveLength(1);
  });
});

describe('provision purge-keys', () => {
  it('removes the keys the service holds; a later follow keeps the keys already saved', async () => {
    const thing = name('purge');
    const taskId = await bulk([{ ThingName: thing }]);
    const out = await mkdtemp(join(tmpdir(), 'provision-purge-'));
    expect((await runCli(['follow', taskId, '--out', out, ...api()])).code).toBe(0);
    const key = await readFile(join(out, thing, 'private.key'), 'utf8');
    const purged = await runCli(['purge-keys', taskId, ...api()]);
    expect(purged.code).toBe(0);
    expect(purged.stdout).toContain('Purged 1 private key(s)');
    const results = await request(env.api.url, 'GET', `/bulkthings/${taskId}/results`);
    expect(JSON.stringify(results.body)).not.toContain('PRIVATE KEY');
    expect((await runCli(['follow', taskId, '--out', out, ...api()])).code).toBe(0);
    expect(await readFile(join(out, thing, 'private.key'), 'utf8')).toBe(key);
  });
});
