import type { ObjectLocation, ObjectReader, ObjectWriter } from '../storage/object-store.js';
import { TemplateNotFoundError } from '../templates/errors.js';
import { templateKey, type TemplateLocation } from '../templates/template-store.js';
import { ListQueryInvalidError } from './errors.js';

export interface TemplateSummary {
  templateId: string;
  lastModified: string;
  size: number;
}

export interface StoredTemplate {
  body: string;
  etag: string | undefined;
  lastModified: Date | undefined;
}

const TEMPLATE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** S3 calls one list page may make when most keys under the prefix are not templates. */
const MAX_LIST_CALLS = 5;

/**
 * The templates as S3 objects `<prefix><id><suffix>`, CDF's layout, so a template dropped into
 * the bucket by hand is listed, read and replaced like one stored through the API. Other objects
 * under the prefix (other suffixes, sub-folders) are not templates and are skipped.
 */
export class TemplateBucket {
  constructor(
    private readonly objects: ObjectReader,
    private readonly writer: ObjectWriter,
    private readonly location: Pick<TemplateLocation, 'bucket' | 'prefix' | 'suffix'>,
  ) {}

  private at(templateId: string): ObjectLocation {
    return { bucket: this.location.bucket, key: templateKey(this.location, templateId) };
  }

  /**
   * One page, in key order. The page token is the last key looked at (S3's `StartAfter`), so a
   * token is checkable here and any well-formed one is safe to pass to S3.
   */
  async list(
    limit: number,
    nextToken?: string,
  ): Promise<{ templates: TemplateSummary[]; nextToken?: string }> {
    const { bucket, prefix } = this.location;
    let after = nextToken === undefined ? undefined : prefix + decodeToken(nextToken);
    const templates: TemplateSummary[] = [];
    for (let calls = 1; ; calls++) {
      const out = await this.objects.list(bucket, prefix, {
        startAfter: after,
        maxKeys: limit - templates.length,
      });
      for (const object of out.objects) {
        after = object.key;
        const templateId = this.idOf(object.key);
        if (templateId === undefined) continue;
        templates.push({
          templateId,
          lastModified: (object.lastModified ?? new Date(0)).toISOString(),
          size: object.size ?? 0,
        });
      }
      if (!out.truncated) return { templates };
      if (templates.length >= limit || calls >= MAX_LIST_CALLS || after === undefined) {
        return after === undefined
          ? { templates }
          : { templates, nextToken: encodeToken(after.slice(prefix.length)) };
      }
    }
  }

  async read(templateId: string): Promise<StoredTemplate> {
    const out = await this.objects.readText(this.at(templateId));
    if (out === undefined || out === 'not-modified') throw new TemplateNotFoundError(templateId);
    return { body: out.text, etag: out.etag, lastModified: out.lastModified };
  }

  /** Stores the body as sent (its formatting kept); `created` says whether the id was new. */
  async write(templateId: string, body: string): Promise<{ etag: string | undefined; created: boolean }> {
    const created = (await this.objects.head(this.at(templateId))) === undefined;
    const out = await this.writer.put(this.at(templateId), body, 'application/json');
    return { etag: out.etag, created };
  }

  /** S3's delete succeeds for a missing key; the API answers 404 for a template that is not there. */
  async remove(templateId: string): Promise<void> {
    if ((await this.objects.head(this.at(templateId))) === undefined) {
      throw new TemplateNotFoundError(templateId);
    }
    await this.writer.remove(this.at(templateId));
  }

  private idOf(key: string): string | undefined {
    const { prefix, suffix } = this.location;
    if (!key.startsWith(prefix) || !key.endsWith(suffix) || key.length <= prefix.length + suffix.length) {
      return undefined;
    }
    const id = key.slice(prefix.length, key.length - suffix.length);
    return TEMPLATE_ID.test(id) ? id : undefined;
  }
}

function encodeToken(rest: string): string {
  return Buffer.from(rest, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  const rest = Buffer.from(token, 'base64url').toString('utf8');
  if (rest === '' || rest.length > 1024 || encodeToken(rest) !== token) {
    throw new ListQueryInvalidError(
      'nextToken is not a token this API returned; start the listing again without it',
    );
  }
  return rest;
}
