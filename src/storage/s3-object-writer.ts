import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { awsCall } from '../aws/classify-error.js';
import type { ObjectLocation, ObjectVersion, ObjectWriter, UploadUrl } from './object-store.js';
import { putObject } from './s3-put-object.js';

/** The ObjectWriter port over S3: only the API, which stores templates and bulk inputs, has it. */
export class S3ObjectWriter implements ObjectWriter {
  constructor(private readonly s3: S3Client) {}

  put(at: ObjectLocation, body: string | Uint8Array, contentType: string): Promise<ObjectVersion> {
    return putObject(this.s3, at, body, contentType);
  }

  async uploadUrl(at: ObjectLocation, contentType: string, seconds: number): Promise<UploadUrl> {
    const expiresAt = new Date(Date.now() + seconds * 1000);
    // Content-Type is signed as a header (not hoisted into the query), so the upload must send it.
    const url = await getSignedUrl(
      this.s3,
      new PutObjectCommand({ Bucket: at.bucket, Key: at.key, ContentType: contentType }),
      { expiresIn: seconds, signableHeaders: new Set(['content-type']) },
    );
    return { url, headers: { 'content-type': contentType }, expiresAt };
  }

  async remove(at: ObjectLocation): Promise<void> {
    await awsCall(`deleting s3://${at.bucket}/${at.key}`, () =>
      this.s3.send(new DeleteObjectCommand({ Bucket: at.bucket, Key: at.key })),
    );
  }
}
