import { describe, expect, it } from '@jest/globals';
import type { ObjectLocation, ObjectReader, ObjectText } from '../../../src/storage/object-store.js';
import { TemplateStore } from '../../../src/templates/template-store.js';

const template = (attribute: string) =>
  JSON.stringify({
    Parameters: { ThingName: { Type: 'String' }, CertificateId: { Type: 'String' } },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: { ThingName: { Ref: 'ThingName' }, AttributePayload: { v: attribute } },
      },
      certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'CertificateId' } } },
    },
    CDF: { createDeviceAWSCertificate: true },
  });

/** A bucket of one template's versions, in memory: the ObjectReader port as S3 answers it. */
function bucket(versioned: boolean) {
  const versions: { id: string; text: string }[] = [];
  const reads: { versionId?: string; ifNoneMatch?: string }[] = [];
  const reader: Pick<ObjectReader, 'readText'> = {
    readText(_at: ObjectLocation, options = {}) {
      reads.push(options);
      const found =
        options.versionId === undefined ? versions.at(-1) : versions.find((v) => v.id === options.versionId);
      if (found === undefined) return Promise.resolve(undefined);
      const etag = `"${found.id}"`;
      if (options.ifNoneMatch === etag) return Promise.resolve('not-modified' as const);
      const out: ObjectText = {
        text: found.text,
        etag,
        versionId: versioned ? found.id : undefined,
        lastModified: undefined,
      };
      return Promise.resolve(out);
    },
  };
  return {
    reads,
    put: (text: string) => versions.push({ id: `v${versions.length + 1}`, text }),
    store: (now: () => number, cacheSeconds = 30) =>
      new TemplateStore(
        reader as ObjectReader,
        { bucket: 'b', prefix: 'templates/', suffix: '.json', cacheSeconds },
        now,
      ),
  };
}

describe('TemplateStore', () => {
  it('hands out the template with its decisions made once: CDF block, mode, caller parameters, version', async () => {
    const b = bucket(true);
    b.put(template('1'));
    const loaded = await b.store(() => 0).load('pump');
    expect(loaded).toMatchObject({
      cdf: { createDeviceAWSCertificate: true },
      certificateMode: 'createDeviceAWSCertificate',
      callerParameters: ['ThingName'],
      version: 'v1',
    });
  });

  it('revalidates the latest version by ETag once the cache time is up', async () => {
    const b = bucket(true);
    b.put(template('1'));
    let now = 0;
    const store = b.store(() => now);
    await store.load('pump');
    await store.load('pump');
    expect(b.reads).toHaveLength(1);
    now = 31_000;
    expect((await store.load('pump')).version).toBe('v1');
    expect(b.reads[1]).toEqual({ ifNoneMatch: '"v1"' });
    b.put(template('2'));
    now = 62_000;
    expect((await store.load('pump')).version).toBe('v2');
  });

  it('reads a pinned version as it was, once: a version never changes', async () => {
    const b = bucket(true);
    b.put(template('1'));
    b.put(template('2'));
    let now = 0;
    const store = b.store(() => now, 0);
    const pinned = await store.load('pump', 'v1');
    expect(pinned.parsed.aws.Resources.thing?.Properties.AttributePayload).toEqual({ v: '1' });
    now = 3_600_000;
    await store.load('pump', 'v1');
    expect(b.reads).toEqual([{ versionId: 'v1' }]);
    expect((await store.load('pump')).version).toBe('v2');
  });

  it('names the version when a pinned one is gone', async () => {
    const b = bucket(true);
    b.put(template('1'));
    await expect(b.store(() => 0).load('pump', 'v9')).rejects.toMatchObject({
      code: 'TEMPLATE_NOT_FOUND',
      message: expect.stringContaining("Version 'v9'") as unknown,
    });
  });

  it('in a bucket without versions, a template has no version: tasks run the latest', async () => {
    const b = bucket(false);
    b.put(template('1'));
    expect((await b.store(() => 0).load('pump')).version).toBeUndefined();
  });
});
