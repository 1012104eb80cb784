import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { ResultEntry } from './device-outcome.js';
import { LineSet } from './line-set.js';
import { readNdjsonFile } from './ndjson-file.js';

export const RESULTS_FILE = 'results.ndjson';

/**
 * `results.ndjson` rebuilt, never appended to: one entry per device line (per task, for single
 * devices). A bulk task's results replace the entries of the same lines; entries of lines the
 * task does not have (a retry covers only the failed lines) stay. A device that succeeded in an
 * earlier task of the batch keeps that entry if a later task reports the line as not succeeded.
 * Memory: two bits per line number, whatever the size of the batch.
 */
export class ResultsFileWriter {
  private readonly covered = new LineSet();
  private readonly replacedTasks = new Set<string>();
  private readonly partial: string;
  private readonly out;
  private readonly succeededBefore = new LineSet();

  private constructor(private readonly path: string) {
    this.partial = `${path}.partial`;
    this.out = createWriteStream(this.partial, { mode: 0o644 });
  }

  static async open(path: string): Promise<ResultsFileWriter> {
    const writer = new ResultsFileWriter(path);
    for await (const entry of readNdjsonFile<ResultEntry>(path)) {
      if (entry.line !== undefined && entry.status === 'SUCCEEDED') writer.succeededBefore.add(entry.line);
    }
    return writer;
  }

  /** False when an earlier task of the batch already made this line's device. */
  keeps(line: number | undefined, status: ResultEntry['status']): boolean {
    return line === undefined || status === 'SUCCEEDED' || !this.succeededBefore.has(line);
  }

  async add(entry: ResultEntry): Promise<void> {
    if (entry.line !== undefined) this.covered.add(entry.line);
    else this.replacedTasks.add(entry.taskId);
    if (!this.out.write(`${JSON.stringify(entry)}\n`)) await once(this.out, 'drain');
  }

  /** Copies the entries that were not replaced, and puts the new file in place. */
  async commit(): Promise<void> {
    for await (const entry of readNdjsonFile<ResultEntry>(this.path)) {
      const replaced =
        entry.line !== undefined ? this.covered.has(entry.line) : this.replacedTasks.has(entry.taskId);
      if (!replaced && !this.out.write(`${JSON.stringify(entry)}\n`)) await once(this.out, 'drain');
    }
    this.out.end();
    await once(this.out, 'close');
    await rename(this.partial, this.path);
  }

  async abandon(): Promise<void> {
    if (!this.out.closed) {
      this.out.end();
      await once(this.out, 'close');
    }
    await rm(this.partial, { force: true });
  }
}
