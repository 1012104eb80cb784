import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { TemplateNotFoundError } from './errors.js';
import { parseTemplate } from './parse.js';
import type { ParsedTemplate } from './types.js';

/**
 * Provisioning templates from S3 (`<prefix><id><suffix>`, CDF's layout, so templates dropped into
 * the bucket by hand keep working), parsed once and cached. After `cacheSeconds` a cached
 * template is revalidated with its ETag, so an update is noticed without re-reading and re-parsing
 * every unchanged template.
 */
/** CDF's layout: `<prefix><id><suffix>`, by default `templates/<id>.json`. */
export function templateKey(
  location: Pick<TemplateLocation, 'prefix' | 'suffix'>,
  templateId: string,
): string {
  return `${location.prefix}${templateId}${location.suffix}`;
}

export interface TemplateLocation {
  bucket: string;
  prefix: string;
  suffix: string;
  cacheSeconds: number;
}

interface Entry {
  template: ParsedTemplate;
  etag: string | undefined;
  checkedAt: number;
}

export class TemplateStore {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<ParsedTemplate>>();

  constructor(
    private readonly s3: S3Client,
    readonly location: TemplateLocation,
    private readonly now: () => number = Date.now,
  ) {}

  key(templateId: string): string {
    return templateKey(this.location, templateId);
  }

  async load(templateId: string): Promise<ParsedTemplate> {
    const cached = this.cache.get(templateId);
    if (cached !== undefined && this.now() - cached.checkedAt < this.location.cacheSeconds * 1000) {
      return cached.template;
    }
    // Concurrent requests for the same template share one S3 read.
    let pending = this.inFlight.get(templateId);
    if (pending === undefined) {
      pending = this.fetch(templateId, cached).finally(() => this.inFlight.delete(templateId));
      this.inFlight.set(templateId, pending);
    }
    return pending;
  }

  /** Drops a template from the cache, e.g. after this process wrote or deleted it. */
  forget(templateId: string): void {
    this.cache.delete(templateId);
  }

  private async fetch(templateId: string, cached: Entry | undefined): Promise<ParsedTemplate> {
    const checkedAt = this.now();
    try {
      const out = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.location.bucket,
          Key: this.key(templateId),
          IfNoneMatch: cached?.etag,
        }),
      );
      const body = (await out.Body?.transformToString('utf8')) ?? '';
      const template = parseTemplate(body);
      this.cache.set(templateId, { template, etag: out.ETag, checkedAt });
      return template;
    } catch (e: unknown) {
      if (cached !== undefined && isNotModified(e)) {
        cached.checkedAt = checkedAt;
        return cached.template;
      }
      if (e instanceof NoSuchKey || (e instanceof Error && e.name === 'NoSuchKey')) {
        this.cache.delete(templateId);
        throw new TemplateNotFoundError(templateId, { cause: e });
      }
      throw e;
    }
  }
}

function isNotModified(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 304;
}
