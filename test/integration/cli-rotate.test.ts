import { describe, expect, it } from '@jest/globals';
import {
  AddThingToThingGroupCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
} from '@aws-sdk/client-iot';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyMatchesCertificate } from '../../src/certificates/index.js';
import { runCli } from '../support/cli.js';
import { certificateStatus, principalsOf } from '../support/iot-registry.js';
import { runNames } from '../support/names.js';
import { deviceByHand } from '../support/rotation.js';
import { useStack } from '../support/stack.js';

/** `provision rotate` against the real local stack, the CLI in its own process. */
const env = useStack({ api: true, workers: true });
const name = runNames('cli-rotate');

describe('provision rotate', () => {
  it("replaces the device folder's certificate and key, and retires the old certificate now", async () => {
    const thing = name('pump');
    const out = await mkdtemp(join(tmpdir(), 'provision-rotate-'));
    const made = await runCli([
      'device',
      '--template',
      'aws-certificate',
      '--param',
      `ThingName=${thing}`,
      '--out',
      out,
      '--api',
      env.api.url,
    ]);
    expect(made.code).toBe(0);
    const dir = join(out, thing);
    const before = JSON.parse(await readFile(join(dir, 'device.json'), 'utf8')) as Record<string, string>;

    const rotated = await runCli(['rotate', thing, '--retire', 'now', '--out', out, '--api', env.api.url]);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(`replaces ${before.certificateId}, which is retired`);

    const after = JSON.parse(await readFile(join(dir, 'device.json'), 'utf8')) as Record<string, string>;
    expect(after.certificateId).not.toBe(before.certificateId);
    const certificate = await readFile(join(dir, 'certificate.pem'), 'utf8');
    expect(privateKeyMatchesCertificate(await readFile(join(dir, 'private.key'), 'utf8'), certificate)).toBe(
      true,
    );
    expect(await principalsOf(env.stack.clients.iot, thing)).toEqual([after.certificateArn]);
    expect(await certificateStatus(env.stack.clients.iot, String(before.certificateId))).toBe('INACTIVE');
  });

  it('refuses a retirement it cannot read, before sending anything', async () => {
    const refused = await runCli(['rotate', name('any'), '--retire', 'soon', '--api', env.api.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--retire soon');
  });
});

describe('provision rotate, for a fleet', () => {
  it('rotates the things of a CSV file and writes every new credential folder', async () => {
    const things = [name('line-a'), name('line-b')];
    const old = await Promise.all(things.map((t) => deviceByHand(env.stack.clients.iot, t)));
    const work = await mkdtemp(join(tmpdir(), 'provision-fleet-'));
    const file = join(work, 'things.csv');
    // As a spreadsheet saves it: BOM, CRLF, and a column the rotation does not need.
    await writeFile(file, `\uFEFFThingName;Site\r\n${things.map((t) => `${t};Hall 7`).join('\r\n')}\r\n`);
    const out = join(work, 'out');

    const run = await runCli([
      'rotate',
      '--things',
      file,
      '--mode',
      'aws',
      '--retire',
      'now',
      '--out',
      out,
      '--api',
      env.api.url,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Completed: 2 devices, 2 succeeded, 0 failed/);

    expect((await readdir(out)).filter((f) => things.includes(f)).sort()).toEqual([...things].sort());
    for (const [i, thing] of things.entries()) {
      const device = JSON.parse(await readFile(join(out, thing, 'device.json'), 'utf8')) as Record<
        string,
        string
      >;
      const certificate = await readFile(join(out, thing, 'certificate.pem'), 'utf8');
      expect(
        privateKeyMatchesCertificate(await readFile(join(out, thing, 'private.key'), 'utf8'), certificate),
      ).toBe(true);
      expect(await principalsOf(env.stack.clients.iot, thing)).toEqual([device.certificateArn]);
      expect(await certificateStatus(env.stack.clients.iot, old[i]?.certificateId ?? '')).toBe('INACTIVE');
    }
    const lines = (await readFile(join(out, 'results.ndjson'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
  });

  it('rotates a thing group; a thing that cannot be rotated fails its line (exit 1)', async () => {
    const group = name('fleet-group');
    const { iot } = env.stack.clients;
    await iot.send(new CreateThingGroupCommand({ thingGroupName: group }));
    const thing = name('grouped');
    await deviceByHand(iot, thing);
    // A thing with no certificate: nothing to replace.
    const bare = name('bare');
    await iot.send(new CreateThingCommand({ thingName: bare }));
    for (const thingName of [thing, bare])
      await iot.send(new AddThingToThingGroupCommand({ thingGroupName: group, thingName }));

    const run = await runCli([
      'rotate',
      '--group',
      group,
      '--mode',
      'aws',
      '--retire',
      'never',
      '--api',
      env.api.url,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/CompletedWithFailures: 2 devices, 1 succeeded, 1 failed/);
    expect(await principalsOf(iot, thing)).toHaveLength(2);
    expect(await principalsOf(iot, bare)).toEqual([]);
  });

  it('refuses a thing name and a fleet together, or no choice at all (exit 2)', async () => {
    const both = await runCli(['rotate', name('x'), '--group', 'g', '--api', env.api.url]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not a thing name and --group');
    const none = await runCli(['rotate', '--api', env.api.url]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--expiring-within');
  });
});
