import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsCall } from '../aws/classify-error.js';
import type { ObjectLocation, ObjectVersion } from './object-store.js';

/**
 * Stores one object. On its own (not only a method of S3ObjectWriter) so a runtime that only
 * writes, the workers writing a fleet rotation's input, bundles neither deletes nor presigning,
 * and its role needs s3:PutObject alone.
 */
export async function putObject(
  s3: S3Client,
  at: ObjectLocation,
  body: string | Uint8Array,
  contentType: string,
): Promise<ObjectVersion> {
  const out = await awsCall(`storing s3://${at.bucket}/${at.key}`, () =>
    s3.send(new PutObjectCommand({ Bucket: at.bucket, Key: at.key, Body: body, ContentType: contentType })),
  );
  return {
    etag: out.ETag,
    versionId: out.VersionId === 'null' ? undefined : out.VersionId,
    lastModified: undefined,
  };
}
