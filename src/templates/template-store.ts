import type { ObjectReader } from '../storage/object-store.js';
import { TemplateNotFoundError } from './errors.js';
import { loadedTemplate, type LoadedTemplate } from './loaded-template.js';
import { parseTemplate } from './parse.js';

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
  template: LoadedTemplate;
  etag: string | undefined;
  checkedAt: number;
}

/** Pinned versions kept in memory; a bulk task or a burst of tasks uses a handful at a time. */
const MAX_PINNED = 256;

/**
 * Provisioning templates from the bucket (`<prefix><id><suffix>`, CDF's layout, so templates
 * dropped into the bucket by hand keep working), parsed once and cached. The latest version is
 * revalidated by ETag after `cacheSeconds`, so an update is noticed without re-reading and
 * re-parsing every unchanged template. A task runs the version it was accepted with: a version
 * never changes, so a pinned one is cached without revalidation.
 */
export class TemplateStore {
  private readonly latest = new Map<string, Entry>();
  private readonly pinned = new Map<string, LoadedTemplate>();
  private readonly inFlight = new Map<string, Promise<LoadedTemplate>>();

  constructor(
    private readonly objects: ObjectReader,
    readonly location: TemplateLocation,
    private readonly now: () => number = Date.now,
  ) {}

  key(templateId: string): string {
    return templateKey(this.location, templateId);
  }

  /** The template's latest version, or with `version` that version (what a task was accepted with). */
  load(templateId: string, version?: string): Promise<LoadedTemplate> {
    if (version !== undefined) {
      const id = `${templateId}\n${version}`;
      const hit = this.pinned.get(id);
      return hit !== undefined
        ? Promise.resolve(hit)
        : this.once(id, () => this.fetchPinned(templateId, version));
    }
    const cached = this.latest.get(templateId);
    if (cached !== undefined && this.now() - cached.checkedAt < this.location.cacheSeconds * 1000) {
      return Promise.resolve(cached.template);
    }
    return this.once(templateId, () => this.fetchLatest(templateId, cached));
  }

  /** Drops a template from the cache, e.g. after this process wrote or deleted it. */
  forget(templateId: string): void {
    this.latest.delete(templateId);
  }

  /** Concurrent requests for the same template share one read. */
  private once(id: string, fetch: () => Promise<LoadedTemplate>): Promise<LoadedTemplate> {
    let pending = this.inFlight.get(id);
    if (pending === undefined) {
      pending = fetch().finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
    }
    return pending;
  }

  private async fetchLatest(templateId: string, cached: Entry | undefined): Promise<LoadedTemplate> {
    const checkedAt = this.now();
    const out = await this.objects.readText(
      { bucket: this.location.bucket, key: this.key(templateId) },
      { ifNoneMatch: cached?.etag },
    );
    if (out === 'not-modified' && cached !== undefined) {
      cached.checkedAt = checkedAt;
      return cached.template;
    }
    if (out === undefined || out === 'not-modified') {
      this.latest.delete(templateId);
      throw new TemplateNotFoundError(templateId);
    }
    const template = loadedTemplate(parseTemplate(out.text), out.versionId);
    this.latest.set(templateId, { template, etag: out.etag, checkedAt });
    return template;
  }

  private async fetchPinned(templateId: string, version: string): Promise<LoadedTemplate> {
    const out = await this.objects.readText(
      { bucket: this.location.bucket, key: this.key(templateId) },
      { versionId: version },
    );
    if (out === undefined || out === 'not-modified') throw new TemplateNotFoundError(templateId, { version });
    const template = loadedTemplate(parseTemplate(out.text), version);
    if (this.pinned.size >= MAX_PINNED) this.pinned.delete(this.pinned.keys().next().value ?? '');
    this.pinned.set(`${templateId}\n${version}`, template);
    return template;
  }
}
