import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyMatchesCertificate } from '../../src/certificates/index.js';
import { pollBulk } from '../support/bulk.js';
import { runCli } from '../support/cli.js';
import { request } from '../support/http.js';
import { principalsOf } from '../support/iot-registry.js';
import { runNames } from '../support/names.js';
import { useStack } from '../support/stack.js';

/**
 * `provision follow` and `provision cancel` on bulk tasks of the real local stack (submitted
 * inline, which exists today), the CLI in its own process with stdout a pipe.
 */
const env = useStack({ env: { BULK_CHUNK_SIZE: '3', BULK_CHUNKS_IN_FLIGHT: '2' }, api: true, workers: true });
const name = runNames('cli-follow');

async function submit(parameters: Record<string, string>[]): Promise<string> {
  const answer = await request(env.api.url, 'POST', '/bulkthings', {
    body: { provisioningTemplateId: 'aws-certificate', parameters },
  });
  expect(answer.status).toBe(202);
  return String(answer.body.taskId);
}

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '');

describe('provision follow', () => {
  it('shows plain progress lines in a log, and writes one folder per device with matching keys', async () => {
    const parameters = [
      ...Array.from({ length: 6 }, (_, i) => ({ ThingName: name(`ok-${i}`) })),
      { ThingName: 'bad name' },
    ];
    const taskId = await submit(parameters);
    const out = await mkdtemp(join(tmpdir(), 'provision-follow-'));
    const run = await runCli(['follow', taskId, '--out', out, '--api', env.api.url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const progress = lines(run.stdout).filter((l) => l.startsWith('provisioning: '));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress[progress.length - 1]).toMatch(
      /^provisioning: CompletedWithFailures 7\/7 \(100%\): 6 ok, 1 failed; \S+\/s, ETA \S+$/,
    );
    // No terminal: no bar, no cursor movement.
    expect(run.stdout).not.toContain('\u001b[');
    expect(run.stdout).toContain(`Task ${taskId}: CompletedWithFailures: 7 devices, 6 succeeded, 1 failed`);
    expect(run.stdout).toContain('add --input');

    for (const { ThingName } of parameters.slice(0, 6)) {
      const dir = join(out, ThingName);
      const certificate = await readFile(join(dir, 'certificate.pem'), 'utf8');
      expect(
        privateKeyMatchesCertificate(await readFile(join(dir, 'private.key'), 'utf8'), certificate),
      ).toBe(true);
      const device = JSON.parse(await readFile(join(dir, 'device.json'), 'utf8')) as Record<string, unknown>;
      expect(await principalsOf(env.stack.clients.iot, ThingName)).toEqual([device.certificateArn]);
    }
    const results = lines(await readFile(join(out, 'results.ndjson'), 'utf8')).map(
      (l) => JSON.parse(l) as Record<string, unknown>,
    );
    expect(results.map((r) => r.line).sort((a, b) => Number(a) - Number(b))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(results.find((r) => r.line === 7)).toMatchObject({ status: 'FAILED', thingName: 'bad name' });

    // Following again (or after an interruption) completes the same folder: nothing doubles.
    const input = join(out, '..', `${taskId}.ndjson`);
    await writeFile(input, parameters.map((p) => JSON.stringify(p)).join('\n'));
    const again = await runCli(['follow', taskId, '--out', out, '--input', input, '--api', env.api.url]);
    expect(again.code).toBe(1);
    expect(lines(await readFile(join(out, 'results.ndjson'), 'utf8'))).toHaveLength(7);
    const entries = await readdir(out);
    expect(entries).toEqual(expect.arrayContaining(['.provision', 'results.ndjson', 'failures.ndjson']));
    expect(entries).toHaveLength(6 + 3);
    const failures = lines(await readFile(join(out, 'failures.ndjson'), 'utf8')).map(
      (l) => JSON.parse(l) as Record<string, string>,
    );
    expect(failures).toEqual([
      { ThingName: 'bad name', error: expect.stringMatching(/^[A-Z_]+: /) as unknown as string },
    ]);
  });

  it('prints the finished task as JSON with --json, and exits 0 when every device succeeded', async () => {
    const taskId = await submit([{ ThingName: name('json-1') }, { ThingName: name('json-2') }]);
    const run = await runCli(['follow', taskId, '--json', '--api', env.api.url]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      taskId,
      status: 'Completed',
      successCount: 2,
      failureCount: 0,
    });
    expect(run.stderr).toContain('provisioning: Completed 2/2');
  });
});

describe('provision cancel', () => {
  it('cancels a running task: no new devices start, and the counts stay exact', async () => {
    const taskId = await submit(Array.from({ length: 30 }, (_, i) => ({ ThingName: name(`cancel-${i}`) })));
    const run = await runCli(['cancel', taskId, '--api', env.api.url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Task ${taskId}: Cancelled`);
    const final = await pollBulk(env.api.url, taskId);
    expect(final.status).toBe('Cancelled');
    const status = await runCli(['status', taskId, '--json', '--api', env.api.url]);
    expect(JSON.parse(status.stdout)).toMatchObject({ taskId, status: 'Cancelled' });
    expect(status.code).toBe(1);
    const again = await runCli(['cancel', taskId, '--api', env.api.url]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('BULK_TASK_FINISHED');
  });
});
