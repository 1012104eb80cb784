import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyMatchesCertificate } from '../../src/certificates/index.js';
import { runCli } from '../support/cli.js';
import { certificateStatus, principalsOf } from '../support/iot-registry.js';
import { runNames } from '../support/names.js';
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
