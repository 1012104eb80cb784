import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapSampleCas } from '../../infra/bootstrap-ca.js';
import { privateKeyMatchesCertificate } from '../../src/certificates/index.js';
import { caPemOf, expectChainOf } from '../support/certificate-modes.js';
import { runCli } from '../support/cli.js';
import { request } from '../support/http.js';
import { principalsOf, thingExists } from '../support/iot-registry.js';
import { runNames } from '../support/names.js';
import { useStack } from '../support/stack.js';
import { putTemplate } from '../support/templates.js';

/**
 * `provision bulk` end to end on the local stack, the CLI run as a separate process: uploads
 * through a pre-signed PUT, CSV input files, the dry run and its problems, existingThings,
 * Idempotency-Key on POST /bulkthings, results filtered by status.
 */
const env = useStack({ env: { BULK_CHUNK_SIZE: '4', BULK_CHUNKS_IN_FLIGHT: '2' }, api: true, workers: true });
const name = runNames('cli-bulk');
const TEMPLATE = 'factory-line';

beforeAll(async () => {
  await putTemplate(env.stack, TEMPLATE, {
    Parameters: {
      ThingName: { Type: 'String' },
      SerialNumber: { Type: 'String' },
      Site: { Type: 'String' },
      CertificateId: { Type: 'String' },
    },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: {
          ThingName: { Ref: 'ThingName' },
          AttributePayload: { serial: { Ref: 'SerialNumber' }, site: { Ref: 'Site' } },
        },
      },
      certificate: {
        Type: 'AWS::IoT::Certificate',
        Properties: { CertificateId: { Ref: 'CertificateId' }, Status: 'ACTIVE' },
      },
    },
    CDF: { createDeviceAWSCertificate: true },
  });
});

async function csvFile(text: string, fileName = 'line7.csv'): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'provision-bulk-in-')), fileName);
  await writeFile(path, text);
  return path;
}
const outDir = () => mkdtemp(join(tmpdir(), 'provision-bulk-out-'));
const api = () => ['--api', env.api.url];
const taskOf = (stdout: string) =>
  /Provisioning: task (\S+)|following task (\S+)/.exec(stdout)?.slice(1).find(Boolean) ?? '';

describe('provision bulk', () => {
  it('enrols a spreadsheet CSV (byte-order mark, CRLF, semicolons) into one folder per device', async () => {
    const things = Array.from({ length: 5 }, (_, i) => name(`excel-${i}`));
    const rows = things.map((t, i) => `${t};SN-${i};"plant-7"`);
    const file = await csvFile(`\ufeffThingName;SerialNumber;Site\r\n${rows.join('\r\n')}\r\n`);
    const out = await outDir();
    const run = await runCli(['bulk', file, '--template', TEMPLATE, '--out', out, ...api()]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Pre-flight: ');
    expect(run.stdout).toContain(
      "CSV (';', byte-order mark, CRLF), columns ThingName, SerialNumber, Site; 5 device line(s)",
    );
    expect(run.stdout).toContain('Dry run: 5 line(s): 5 would work, 0 with problems');
    for (const [i, thing] of things.entries()) {
      const dir = join(out, thing);
      const key = await readFile(join(dir, 'private.key'), 'utf8');
      expect(privateKeyMatchesCertificate(key, await readFile(join(dir, 'certificate.pem'), 'utf8'))).toBe(
        true,
      );
      expect((await stat(join(dir, 'private.key'))).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(join(dir, 'device.json'), 'utf8'))).toMatchObject({
        thingName: thing,
        line: i + 2,
      });
      expect(await principalsOf(env.stack.clients.iot, thing)).toHaveLength(1);
      // AWS IoT signed the certificates: no chain the service knows, so no ca-chain.pem.
      await expect(stat(join(dir, 'ca-chain.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
    }
  });

  it("writes the own CA's chain beside each device's certificate as ca-chain.pem", async () => {
    const cas = await bootstrapSampleCas(env.stack.clients, env.stack.config);
    const caPem = await caPemOf(env.stack.clients.iot, cas.rsaCaId);
    const things = [name('own-ca-1'), name('own-ca-2')];
    const file = await csvFile(`ThingName\n${things.join('\n')}\n`);
    const out = await outDir();
    const cdf = JSON.stringify({ caId: cas.rsaCaId, keyAlgorithm: 'EC-P256', certInfo: { country: 'DE' } });
    const run = await runCli([
      'bulk',
      file,
      '--template',
      'create-device-certificate',
      '--cdf',
      cdf,
      '--out',
      out,
      ...api(),
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const thing of things) {
      const dir = join(out, thing);
      const certificate = await readFile(join(dir, 'certificate.pem'), 'utf8');
      expectChainOf(await readFile(join(dir, 'ca-chain.pem'), 'utf8'), certificate, caPem);
    }
  });

  it('runs the same command twice as one task: no second task, no second certificate', async () => {
    const things = [name('twice-1'), name('twice-2')];
    const file = await csvFile(`ThingName,SerialNumber,Site\n${things.map((t) => `${t},SN,a`).join('\n')}\n`);
    const first = await runCli(['bulk', file, '--template', TEMPLATE, ...api()]);
    expect(first.code).toBe(0);
    const second = await runCli(['bulk', file, '--template', TEMPLATE, ...api()]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already submitted with these options');
    expect(taskOf(second.stdout)).toBe(taskOf(first.stdout));
    for (const thing of things) expect(await principalsOf(env.stack.clients.iot, thing)).toHaveLength(1);
  });

  it('merges --param into every line without its own value', async () => {
    const [a, b] = [name('param-a'), name('param-b')];
    const file = await csvFile(`ThingName,Site\n${a},\n${b},own-site\n`);
    const run = await runCli([
      'bulk',
      file,
      '--template',
      TEMPLATE,
      '--param',
      'Site=plant-7',
      '--param',
      'SerialNumber=SN-X',
      ...api(),
    ]);
    expect(run.code).toBe(0);
    const { DescribeThingCommand } = await import('@aws-sdk/client-iot');
    const attributes = async (thingName: string) =>
      (await env.stack.clients.iot.send(new DescribeThingCommand({ thingName }))).attributes;
    expect(await attributes(a)).toMatchObject({ site: 'plant-7', serial: 'SN-X' });
    expect(await attributes(b)).toMatchObject({ site: 'own-site', serial: 'SN-X' });
  });

  it('stops on the dry run’s problems with exit 2, and --dry-run creates nothing', async () => {
    const good = name('dry-good');
    const file = await csvFile(`ThingName,SerialNumber,Site,Colour\n${good},SN,a,red\nbad name,SN,a,blue\n`);
    const dry = await runCli(['bulk', file, '--template', TEMPLATE, '--dry-run', ...api()]);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain('TEMPLATE_PARAMETER_UNKNOWN');
    expect(dry.stdout).toContain('THING_NAME_INVALID');
    expect(dry.stdout).toMatch(/full list: provision status \S+ --failures/);
    expect(dry.stdout).toContain('nothing was provisioned');
    expect(await thingExists(env.stack.clients.iot, good)).toBe(false);

    const stopped = await runCli(['bulk', file, '--template', TEMPLATE, ...api()]);
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toContain('--yes');
    expect(await thingExists(env.stack.clients.iot, good)).toBe(false);
  });

  it('asks for --existing when things already have a certificate, and skips them when told', async () => {
    const [old, fresh] = [name('existing-old'), name('existing-new')];
    const first = await runCli([
      'bulk',
      await csvFile(`ThingName,SerialNumber,Site\n${old},SN,a\n`),
      '--template',
      TEMPLATE,
      ...api(),
    ]);
    expect(first.code).toBe(0);
    const file = await csvFile(`ThingName,SerialNumber,Site\n${old},SN,a\n${fresh},SN,a\n`);
    const refused = await runCli(['bulk', file, '--template', TEMPLATE, ...api()]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('THING_HAS_CERTIFICATE: 1 line(s)');
    expect(refused.stderr).toContain('--existing');
    expect(await thingExists(env.stack.clients.iot, fresh)).toBe(false);

    const out = await outDir();
    const skipped = await runCli([
      'bulk',
      file,
      '--template',
      TEMPLATE,
      '--existing',
      'skip',
      '--out',
      out,
      ...api(),
    ]);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('1 skipped');
    expect(await principalsOf(env.stack.clients.iot, old)).toHaveLength(1);
    expect(await principalsOf(env.stack.clients.iot, fresh)).toHaveLength(1);
    const results = (await readFile(join(out, 'results.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; status: string });
    expect(results.sort((x, y) => x.line - y.line).map((r) => r.status)).toEqual(['SKIPPED', 'SUCCEEDED']);
  });

  it('writes failures.csv that, fixed, goes back in through provision bulk', async () => {
    const [a, b] = [name('feedback-a'), name('feedback-b')];
    const file = await csvFile(`ThingName;SerialNumber;Site\r\n${a};SN;x\r\n${b};SN;x;extra\r\n`);
    const out = await outDir();
    const run = await runCli(['bulk', file, '--template', TEMPLATE, '--out', out, '--yes', ...api()]);
    expect(run.code).toBe(1);
    const failures = await readFile(join(out, 'failures.csv'), 'utf8');
    // The message names the header with its ';', so the error field is quoted (RFC 4180).
    expect(failures).toMatch(
      new RegExp(
        `^ThingName;SerialNumber;Site;error\r\n${b};SN;x;extra;"BULK_LINE_INVALID: Line 3: [^"]+"\r\n$`,
      ),
    );
    const fixed = await csvFile(
      `ThingName;SerialNumber;Site;error\r\n${b};SN;x;BULK_LINE_INVALID: fixed by hand\r\n`,
      'fixed.csv',
    );
    const again = await runCli(['bulk', fixed, '--template', TEMPLATE, ...api()]);
    expect(again.stdout).toContain("the 'error' column (from a failures file) is ignored");
    expect(again.code).toBe(0);
    expect(await principalsOf(env.stack.clients.iot, b)).toHaveLength(1);
    expect((await readdir(out)).sort()).toEqual(['.provision', a, 'failures.csv', 'results.ndjson'].sort());
  });

  it('lists every failed line of a task with status --failures', async () => {
    const submitted = await request(env.api.url, 'POST', '/bulkthings', {
      body: {
        provisioningTemplateId: TEMPLATE,
        parameters: [
          { ThingName: name('fl-ok'), SerialNumber: 'SN-1', Site: 'x' },
          { ThingName: 'bad name', SerialNumber: 'SN-2', Site: 'x' },
        ],
      },
    });
    const taskId = String(submitted.body.taskId);
    await runCli(['follow', taskId, ...api()]);
    const run = await runCli(['status', taskId, '--failures', ...api()]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/line 2 \(bad name\): THING_NAME_INVALID: /);
    expect(run.stdout).not.toContain('line 1 ');
  });
});
