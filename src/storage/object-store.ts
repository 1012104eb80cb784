/**
 * Objects in a bucket (templates, bulk input files): the port core code reads and writes them
 * through. The composition roots build it over S3 (s3-object-reader.ts, s3-object-writer.ts);
 * reading and writing are separate so a runtime that only reads holds no code, and so no IAM
 * permission, that writes. Failures are the service's errors; a missing object is `undefined`.
 */
export interface ObjectLocation {
  bucket: string;
  key: string;
}

export interface ObjectVersion {
  etag: string | undefined;
  /** The bucket's version id of the object; undefined in a bucket without versioning. */
  versionId: string | undefined;
  lastModified: Date | undefined;
}

export interface ObjectText extends ObjectVersion {
  text: string;
}

export interface ObjectSummary {
  key: string;
  lastModified: Date | undefined;
  size: number | undefined;
}

export interface ObjectReader {
  /**
   * The object as UTF-8 text, or undefined when it does not exist. `versionId` reads that version;
   * `ifNoneMatch` answers 'not-modified' while the object still has that ETag.
   */
  readText(
    at: ObjectLocation,
    options?: { versionId?: string; ifNoneMatch?: string },
  ): Promise<ObjectText | 'not-modified' | undefined>;
  /** Bytes [start, end) of the object (start < end), or undefined when it does not exist. */
  readRange(at: ObjectLocation, start: number, end: number): Promise<Uint8Array | undefined>;
  /** The whole object as a stream of byte chunks (memory stays flat), or undefined when missing. */
  stream(at: ObjectLocation): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** The object's version and date, or undefined when it does not exist. */
  head(at: ObjectLocation): Promise<ObjectVersion | undefined>;
  /** One page of keys under `prefix`, in key order, after `startAfter`. */
  list(
    bucket: string,
    prefix: string,
    page: { startAfter?: string; maxKeys: number },
  ): Promise<{ objects: ObjectSummary[]; truncated: boolean }>;
}

/** A pre-signed PUT: whoever holds it may store one object at one key, until it expires. */
export interface UploadUrl {
  url: string;
  /** The headers the PUT must carry, exactly (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface ObjectWriter {
  put(at: ObjectLocation, body: string | Uint8Array, contentType: string): Promise<ObjectVersion>;
  /** A URL to PUT the object with, signed by this writer's credentials, valid `seconds`. */
  uploadUrl(at: ObjectLocation, contentType: string, seconds: number): Promise<UploadUrl>;
  /** Removes the object (in a versioned bucket: hides it behind a delete marker). */
  remove(at: ObjectLocation): Promise<void>;
}
