import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDeviceKeyPair, privateKeyMatchesCertificate } from '../../../src/certificates/index.js';
import { createSelfSignedCa } from '../../../src/provisioning/ca/self-signed-ca.js';
import { CredentialFolder } from '../../../cli/output/credential-folder.js';
import type { DeviceOutcome } from '../../../cli/output/device-outcome.js';
import { safeDirName } from '../../../cli/output/safe-name.js';

/** A real key pair and a certificate for it, as a device result carries them. */
async function device(line: number, thingName: string, taskId = 'task-1'): Promise<DeviceOutcome> {
  const keys = await generateDeviceKeyPair('EC-P256');
  const certificatePem = createSelfSignedCa(
    keys.privateKeyPem,
    { country: 'DE', commonName: thingName },
    { days: 30 },
  );
  return {
    taskId,
    line,
    status: 'SUCCEEDED',
    thingName,
    certificateId: createHash('sha256').update(certificatePem).digest('hex'),
    certificatePem,
    certificateChainPem: certificatePem,
    privateKey: keys.privateKeyPem,
    resourceArns: { thing: `arn:aws:iot:eu-west-1:123456789012:thing/${thingName}` },
  };
}

async function* each<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

async function folderWith(input?: string): Promise<{ dir: string; inputPath: string | undefined }> {
  const dir = await mkdtemp(join(tmpdir(), 'provision-out-'));
  if (input === undefined) return { dir, inputPath: undefined };
  const inputPath = join(await mkdtemp(join(tmpdir(), 'provision-in-')), 'line7.csv');
  await writeFile(inputPath, input);
  return { dir, inputPath };
}

async function write(dir: string, outcomes: DeviceOutcome[], inputPath?: string, batchId = 'task-1') {
  const folder = await CredentialFolder.open(dir);
  try {
    await folder.claim(batchId, inputPath);
    return await folder.writeBatch(each(outcomes));
  } finally {
    await folder.close();
  }
}

async function results(dir: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir, 'results.ndjson'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const failed = (
  line: number,
  thingName: string,
  code = 'THING_NAME_INVALID',
  taskId = 'task-1',
): DeviceOutcome => ({
  taskId,
  line,
  status: 'FAILED',
  thingName,
  error: { code, message: `line ${line} is wrong` },
});

describe('the credentials folder', () => {
  it('writes one folder per device whose key matches its certificate, the key readable by the owner only', async () => {
    const { dir } = await folderWith();
    const outcomes = [await device(2, 'pump-1'), await device(3, 'pump-2')];
    const summary = await write(dir, outcomes);
    expect(summary).toMatchObject({ devices: 2, succeeded: 2, failed: 0 });
    for (const outcome of outcomes) {
      const d = join(dir, String(outcome.thingName));
      const [cert, key, chain, json] = await Promise.all(
        ['certificate.pem', 'private.key', 'ca-chain.pem', 'device.json'].map((f) =>
          readFile(join(d, f), 'utf8'),
        ),
      );
      expect(privateKeyMatchesCertificate(String(key), String(cert))).toBe(true);
      expect(chain).toBe(outcome.certificateChainPem);
      expect(JSON.parse(String(json))).toMatchObject({
        thingName: outcome.thingName,
        line: outcome.line,
        certificateId: outcome.certificateId,
        thingArn: outcome.resourceArns?.thing,
      });
      expect((await stat(join(d, 'private.key'))).mode & 0o777).toBe(0o600);
    }
    const lines = await results(dir);
    expect(lines.map((l) => l.line)).toEqual([2, 3]);
    expect(JSON.stringify(lines)).not.toContain('PRIVATE KEY');
  });

  it('writes nothing twice: the same results again leave the same folder', async () => {
    const { dir, inputPath } = await folderWith('ThingName\npump-1\npump-2\nbad name\n');
    const outcomes = [await device(2, 'pump-1'), await device(3, 'pump-2'), failed(4, 'bad name')];
    await write(dir, outcomes, inputPath);
    const first = await results(dir);
    const key = await readFile(join(dir, 'pump-1', 'private.key'), 'utf8');
    await write(dir, outcomes);
    expect(await results(dir)).toEqual(first);
    expect(await readFile(join(dir, 'pump-1', 'private.key'), 'utf8')).toBe(key);
    expect((await readdir(dir)).sort()).toEqual([
      '.provision',
      'failures.csv',
      'pump-1',
      'pump-2',
      'results.ndjson',
    ]);
    expect(await readFile(join(dir, 'failures.csv'), 'utf8')).toBe(
      'ThingName,error\nbad name,THING_NAME_INVALID: line 4 is wrong\n',
    );
  });

  it('completes a folder whose writing was interrupted, without duplicates', async () => {
    const { dir } = await folderWith();
    const outcomes = [await device(2, 'pump-1'), await device(3, 'pump-2'), await device(4, 'pump-3')];
    const stop = new AbortController();
    async function* interrupted(): AsyncGenerator<DeviceOutcome> {
      yield await Promise.resolve(outcomes[0] as DeviceOutcome);
      stop.abort(new Error('Ctrl-C'));
      yield outcomes[1] as DeviceOutcome;
    }
    const folder = await CredentialFolder.open(dir);
    await folder.claim('task-1');
    await expect(folder.writeBatch(interrupted(), stop.signal)).rejects.toThrow('Ctrl-C');
    await folder.close();
    // A stale partial write, as a kill -9 in the middle of one would leave.
    await writeFile(join(dir, 'pump-1', 'private.key.partial'), 'half a key');

    await write(dir, outcomes);
    expect((await results(dir)).map((l) => l.thingName)).toEqual(['pump-1', 'pump-2', 'pump-3']);
    for (const name of ['pump-1', 'pump-2', 'pump-3']) {
      const d = join(dir, name);
      expect(
        privateKeyMatchesCertificate(
          await readFile(join(d, 'private.key'), 'utf8'),
          await readFile(join(d, 'certificate.pem'), 'utf8'),
        ),
      ).toBe(true);
    }
  });

  it('keeps a key the service has purged, and drops a key that no longer belongs to the certificate', async () => {
    const { dir } = await folderWith();
    const original = await device(2, 'pump-1');
    await write(dir, [original]);
    const purged = { ...original, privateKey: null };
    await write(dir, [purged]);
    expect(await readFile(join(dir, 'pump-1', 'private.key'), 'utf8')).toBe(original.privateKey);

    const replaced = { ...(await device(2, 'pump-1')), privateKey: null, certificateChainPem: null };
    await write(dir, [replaced]);
    await expect(stat(join(dir, 'pump-1', 'private.key'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(dir, 'pump-1', 'ca-chain.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(join(dir, 'pump-1', 'certificate.pem'), 'utf8')).toBe(replaced.certificatePem);
  });

  it("merges a retry's results by line and feeds failures back in the input's own format", async () => {
    const csv = '\ufeffThingName;Site\r\npump-1;a\r\npump-2;"b;c"\r\npump-3;d\r\n';
    const { dir, inputPath } = await folderWith(csv);
    await write(
      dir,
      [await device(2, 'pump-1'), failed(3, 'pump-2', 'THROTTLED'), failed(4, 'pump-3')],
      inputPath,
    );
    expect(await readFile(join(dir, 'failures.csv'), 'utf8')).toBe(
      '\ufeffThingName;Site;error\r\npump-2;"b;c";THROTTLED: line 3 is wrong\r\npump-3;d;THING_NAME_INVALID: line 4 is wrong\r\n',
    );
    // The retry covers the failed lines only; a stale FAILED for an already made device is ignored.
    await write(dir, [await device(3, 'pump-2', 'retry-1'), failed(2, 'pump-1', 'X', 'retry-1')], undefined);
    const lines = await results(dir);
    expect(lines.map((l) => [l.line, l.status, l.taskId]).sort()).toEqual([
      [2, 'SUCCEEDED', 'task-1'],
      [3, 'SUCCEEDED', 'retry-1'],
      [4, 'FAILED', 'task-1'],
    ]);
    expect(await readFile(join(dir, 'failures.csv'), 'utf8')).toBe(
      '\ufeffThingName;Site;error\r\npump-3;d;THING_NAME_INVALID: line 4 is wrong\r\n',
    );
  });

  it('refuses a second batch, and a second writer at the same time', async () => {
    const { dir } = await folderWith();
    await write(dir, [await device(2, 'pump-1')]);
    await expect(write(dir, [], undefined, 'other-task')).rejects.toMatchObject({
      code: 'OUTPUT_FOLDER_IN_USE',
    });
    const holder = await CredentialFolder.open(dir);
    await expect(CredentialFolder.open(dir)).rejects.toMatchObject({ code: 'OUTPUT_FOLDER_BUSY' });
    await holder.close();
  });

  it('keeps thing names that are not safe as directory names inside the folder', async () => {
    for (const name of ['../escape', '..', '.', 'a/b', '/etc/passwd', 'with space', '%2E', 'ümlaut']) {
      const dirName = safeDirName(name);
      expect(dirName).not.toMatch(/[/\\]/);
      expect(['.', '..', '']).not.toContain(dirName);
    }
    expect(safeDirName('pump-0001')).toBe('pump-0001');
    expect(safeDirName('thing:with_colons.and-dots')).toBe('thing:with_colons.and-dots');
    expect(new Set(['a/b', 'a%2Fb', 'a_b'].map(safeDirName)).size).toBe(3);
    const { dir } = await folderWith();
    await write(dir, [await device(2, '../escape')]);
    expect((await readdir(dir)).sort()).toEqual(['%2E.%2Fescape', '.provision', 'results.ndjson']);
  });
});
