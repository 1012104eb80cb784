import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type GetObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { awsCall } from '../aws/classify-error.js';
import { unlessGone } from '../aws/unless-gone.js';
import type { ObjectLocation, ObjectReader, ObjectText, ObjectVersion } from './object-store.js';

const NOT_MODIFIED = 'not-modified';

/** The ObjectReader port over S3. */
export class S3ObjectReader implements ObjectReader {
  constructor(private readonly s3: S3Client) {}

  async readText(
    at: ObjectLocation,
    options: { versionId?: string; ifNoneMatch?: string } = {},
  ): Promise<ObjectText | typeof NOT_MODIFIED | undefined> {
    const out = await this.get(at, { VersionId: options.versionId, IfNoneMatch: options.ifNoneMatch });
    if (out === undefined || out === NOT_MODIFIED) return out;
    return { text: (await out.Body?.transformToString('utf8')) ?? '', ...versionOf(out) };
  }

  async readRange(at: ObjectLocation, start: number, end: number): Promise<Uint8Array | undefined> {
    const out = await this.get(at, { Range: `bytes=${start}-${end - 1}` });
    if (out === undefined || out === NOT_MODIFIED) return undefined;
    return (await out.Body?.transformToByteArray()) ?? new Uint8Array();
  }

  async stream(at: ObjectLocation): Promise<AsyncIterable<Uint8Array> | undefined> {
    const out = await this.get(at, {});
    if (out === undefined || out === NOT_MODIFIED || out.Body === undefined) return undefined;
    // In Node the SDK's body is a Readable: its chunks are Buffers.
    return out.Body as Readable & AsyncIterable<Uint8Array>;
  }

  async head(at: ObjectLocation): Promise<ObjectVersion | undefined> {
    const out = await unlessGone(() =>
      awsCall(`looking up s3://${at.bucket}/${at.key}`, () =>
        this.s3.send(new HeadObjectCommand({ Bucket: at.bucket, Key: at.key })),
      ),
    );
    return out === undefined ? undefined : versionOf(out);
  }

  async list(bucket: string, prefix: string, page: { startAfter?: string; maxKeys: number }) {
    const out = await awsCall(`listing s3://${bucket}/${prefix}`, () =>
      this.s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          StartAfter: page.startAfter,
          MaxKeys: page.maxKeys,
        }),
      ),
    );
    return {
      objects: (out.Contents ?? []).flatMap((o) =>
        o.Key === undefined ? [] : [{ key: o.Key, lastModified: o.LastModified, size: o.Size }],
      ),
      truncated: out.IsTruncated === true,
    };
  }

  private get(
    at: ObjectLocation,
    options: { VersionId?: string; IfNoneMatch?: string; Range?: string },
  ): Promise<GetObjectCommandOutput | typeof NOT_MODIFIED | undefined> {
    return unlessGone(() =>
      awsCall(`reading s3://${at.bucket}/${at.key}`, async () => {
        try {
          return await this.s3.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key, ...options }));
        } catch (e: unknown) {
          if (httpStatusOf(e) === 304) return NOT_MODIFIED;
          throw e;
        }
      }),
    );
  }
}

function versionOf(out: { ETag?: string; VersionId?: string; LastModified?: Date }): ObjectVersion {
  // S3 names the one version of an object in an unversioned (or suspended) bucket "null".
  const versionId = out.VersionId === undefined || out.VersionId === 'null' ? undefined : out.VersionId;
  return { etag: out.ETag, versionId, lastModified: out.LastModified };
}

function httpStatusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
