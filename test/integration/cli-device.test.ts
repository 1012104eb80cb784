import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapSampleCas, type SampleCas } from '../../infra/bootstrap-ca.js';
import { privateKeyMatchesCertificate } from '../../src/certificates/index.js';
import { caPemOf, expectChainOf } from '../support/certificate-modes.js';
import { runCli } from '../support/cli.js';
import { principalsOf, thingExists } from '../support/iot-registry.js';
import { runNames } from '../support/names.js';
import { useStack } from '../support/stack.js';

/** `provision device` and `provision status` against the real local stack, the CLI in its own process. */
const env = useStack({ api: true, workers: true, templates: ['fails-at-policy'] });
const name = runNames('cli-device');
const outDir = () => mkdtemp(join(tmpdir(), 'provision-device-'));
const taskIdIn = (stdout: string) => /Task (\S+)/.exec(stdout)?.[1] ?? '';
let cas: SampleCas;

beforeAll(async () => {
  cas = await bootstrapSampleCas(env.stack.clients, env.stack.config);
});

describe('provision device', () => {
  it('provisions one device and writes its folder; the same command again makes nothing new', async () => {
    const thing = name('pump');
    const out = await outDir();
    const args = [
      'device',
      '--template',
      'aws-certificate',
      '--param',
      `ThingName=${thing}`,
      '--param',
      'SerialNumber=SN-1',
    ];
    const first = await runCli([...args, '--out', out, '--api', env.api.url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);

    const dir = join(out, thing);
    const certificate = await readFile(join(dir, 'certificate.pem'), 'utf8');
    const key = await readFile(join(dir, 'private.key'), 'utf8');
    expect(privateKeyMatchesCertificate(key, certificate)).toBe(true);
    expect((await stat(join(dir, 'private.key'))).mode & 0o777).toBe(0o600);
    // AWS IoT signed it: the service does not know its chain, so there is no ca-chain.pem.
    await expect(stat(join(dir, 'ca-chain.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
    const device = JSON.parse(await readFile(join(dir, 'device.json'), 'utf8')) as Record<string, string>;
    expect(device.thingName).toBe(thing);
    const principals = await principalsOf(env.stack.clients.iot, thing);
    expect(principals).toEqual([device.certificateArn]);
    expect(device.certificateArn).toContain(String(device.certificateId));

    const again = await runCli([...args, '--out', out, '--api', env.api.url]);
    expect(again.code).toBe(0);
    expect(taskIdIn(again.stdout)).toBe(taskIdIn(first.stdout));
    expect(await principalsOf(env.stack.clients.iot, thing)).toEqual(principals);
    expect(await readFile(join(dir, 'private.key'), 'utf8')).toBe(key);
    const results = (await readFile(join(out, 'results.ndjson'), 'utf8')).trim().split('\n');
    expect(results).toHaveLength(1);
    expect(results[0]).not.toContain('PRIVATE KEY');
    expect((await readdir(out)).sort()).toEqual(['.provision', 'results.ndjson', thing].sort());
  });

  it("writes the own CA's chain as ca-chain.pem, and a rotation replaces it with the new certificate's", async () => {
    const thing = name('own-ca');
    const out = await outDir();
    const cdf = JSON.stringify({ caId: cas.ecCaId, certInfo: { country: 'DE', commonName: thing } });
    const made = await runCli([
      'device',
      '--template',
      'create-device-certificate',
      '--param',
      `ThingName=${thing}`,
      '--cdf',
      cdf,
      '--out',
      out,
      '--api',
      env.api.url,
    ]);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const dir = join(out, thing);
    const caPem = await caPemOf(env.stack.clients.iot, cas.ecCaId);
    const first = await readFile(join(dir, 'certificate.pem'), 'utf8');
    expectChainOf(await readFile(join(dir, 'ca-chain.pem'), 'utf8'), first, caPem);

    const rotated = await runCli(['rotate', thing, '--retire', 'now', '--out', out, '--api', env.api.url]);
    expect(rotated.code).toBe(0);
    const second = await readFile(join(dir, 'certificate.pem'), 'utf8');
    expect(second).not.toBe(first);
    expectChainOf(await readFile(join(dir, 'ca-chain.pem'), 'utf8'), second, caPem);
  });

  it('shows a task with status, and saves its credentials with --out', async () => {
    const thing = name('status');
    const made = await runCli([
      'device',
      '--template',
      'aws-certificate',
      '--param',
      `ThingName=${thing}`,
      '--api',
      env.api.url,
    ]);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('The private key was not saved');
    const taskId = taskIdIn(made.stdout);

    const json = await runCli(['status', taskId, '--json', '--api', env.api.url]);
    expect(json.code).toBe(0);
    const view = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(view).toMatchObject({ taskId, status: 'SUCCEEDED' });
    expect(String(view.privateKey)).not.toContain('PRIVATE KEY');

    const out = await outDir();
    const saved = await runCli(['status', taskId, '--out', out, '--api', env.api.url]);
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain(`Task ${taskId}: SUCCEEDED`);
    expect(
      privateKeyMatchesCertificate(
        await readFile(join(out, thing, 'private.key'), 'utf8'),
        await readFile(join(out, thing, 'certificate.pem'), 'utf8'),
      ),
    ).toBe(true);
  });

  it('exits 1 when the device fails, 2 when the request is refused', async () => {
    const thing = name('fails');
    const failed = await runCli([
      'device',
      '--template',
      'fails-at-policy',
      '--param',
      `ThingName=${thing}`,
      '--api',
      env.api.url,
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/Failed: \w+/);
    expect(await thingExists(env.stack.clients.iot, thing)).toBe(false);
    const status = await runCli(['status', taskIdIn(failed.stdout), '--api', env.api.url]);
    expect(status.code).toBe(1);

    const refused = await runCli([
      'device',
      '--template',
      'no-such-template',
      '--param',
      'ThingName=x',
      '--api',
      env.api.url,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('TEMPLATE_NOT_FOUND');
    const unknown = await runCli(['status', 'no-such-task', '--api', env.api.url]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('TASK_NOT_FOUND');
  });
});
