import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_COLUMN } from '../input/preflight.js';
import { readInput } from '../input/read-input.js';
import { csvField } from './csv-field.js';
import type { ResultEntry } from './device-outcome.js';
import { readNdjsonFile } from './ndjson-file.js';

export const FAILURES_CSV = 'failures.csv';
export const FAILURES_NDJSON = 'failures.ndjson';

/**
 * The failed lines as a file to fix and feed back to `provision bulk`: for CSV the original header
 * and records, each with an `error` column (the file's own delimiter, line ending and byte-order
 * mark); for NDJSON each original object with an `error` key. `provision bulk` drops that column
 * again. Rebuilt from `results.ndjson` and the input each time; removed when nothing failed.
 * Returns the file's name, or undefined when there is none.
 */
export async function writeFailuresFile(dir: string, inputPath: string): Promise<string | undefined> {
  const errors = new Map<number, string>();
  for await (const entry of readNdjsonFile<ResultEntry>(join(dir, 'results.ndjson'))) {
    if (entry.line !== undefined && entry.status === 'FAILED')
      errors.set(entry.line, entry.error ? `${entry.error.code}: ${entry.error.message}` : 'FAILED');
  }
  const input = await readInput(inputPath);
  const name = input.format === 'csv' ? FAILURES_CSV : FAILURES_NDJSON;
  const target = join(dir, name);
  if (errors.size === 0) {
    await rm(target, { force: true });
    return undefined;
  }
  const partial = `${target}.partial`;
  const out = createWriteStream(partial);
  const write = async (data: string | Uint8Array) => {
    if (!out.write(data)) await once(out, 'drain');
  };
  const { layout } = input;
  const ending = layout?.lineEnding ?? '\n';
  // A fed-back failures file already has an error column: the new errors replace it.
  const rewrite = layout?.columns.includes(ERROR_COLUMN) ?? false;
  const columns = layout?.columns.filter((c) => c !== ERROR_COLUMN) ?? [];
  if (layout !== undefined) {
    if (layout.bom) await write(new Uint8Array([0xef, 0xbb, 0xbf]));
    await write(rewrite ? [...columns, ERROR_COLUMN].join(layout.delimiter) : Buffer.from(layout.headerRaw));
    if (!rewrite) await write(`${layout.delimiter}${ERROR_COLUMN}`);
    await write(ending);
  }
  for await (const line of input.lines) {
    const error = errors.get(line.line);
    if (error === undefined) continue;
    if (layout === undefined) {
      const own = 'error' in line ? { invalidLine: Buffer.from(line.raw).toString('utf8') } : line.parameters;
      await write(`${JSON.stringify({ ...own, [ERROR_COLUMN]: error })}\n`);
      continue;
    }
    if (rewrite && 'parameters' in line) {
      await write(
        columns.map((c) => csvField(line.parameters[c] ?? '', layout.delimiter)).join(layout.delimiter),
      );
    } else {
      await write(line.raw);
    }
    await write(`${layout.delimiter}${csvField(error, layout.delimiter)}${ending}`);
  }
  out.end();
  await once(out, 'close');
  await rename(partial, target);
  return name;
}
