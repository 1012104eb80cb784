import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import type { CsvLayout } from '../../src/bulk/csv-reader.js';
import { ERROR_COLUMN } from './preflight.js';
import { readInput } from './read-input.js';
import { csvField } from '../output/csv-field.js';

export interface RewrittenInput {
  path: string;
  remove(): Promise<void>;
}

/**
 * The file the API gets when the command changes lines: request-wide parameters (`--param`) added
 * to every line that does not set them (a line's own value wins), and the `error` column of a
 * fed-back failures file dropped. Every record starts on the same physical line as in the
 * original, so the API's line numbers are the operator's. Lines that cannot be read are copied
 * as they are, for the API to report.
 */
export async function rewriteInput(path: string, defaults: Record<string, string>): Promise<RewrittenInput> {
  const input = await readInput(path);
  const dir = await mkdtemp(join(tmpdir(), 'provision-'));
  const target = join(dir, basename(path));
  const out = createWriteStream(target);
  const write = async (text: string | Uint8Array) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const ending = input.layout?.lineEnding ?? '\n';
  let nextLine = 1;
  const padTo = async (line: number) => {
    if (line > nextLine) await write(ending.repeat(line - nextLine));
    nextLine = line;
  };
  const advance = (text: string | Uint8Array) => {
    nextLine += countLf(text) + 1;
  };

  const columns = input.layout !== undefined ? columnsAfter(input.layout, defaults) : [];
  if (input.layout !== undefined) {
    await padTo(input.layout.headerLine);
    const header = columns
      .map((c) => csvField(c, input.layout?.delimiter ?? ','))
      .join(input.layout.delimiter);
    await write(header + ending);
    advance(header);
  }
  for await (const line of input.lines) {
    await padTo(line.line);
    let text: string | Uint8Array;
    if ('error' in line) {
      text = line.raw;
    } else {
      const { [ERROR_COLUMN]: _dropped, ...own } = line.parameters;
      const merged = { ...defaults, ...own };
      text =
        input.layout === undefined
          ? JSON.stringify(merged)
          : columns
              .map((c) => csvField(merged[c] ?? '', input.layout?.delimiter ?? ','))
              .join(input.layout.delimiter);
    }
    await write(text);
    await write(ending);
    advance(text);
  }
  out.end();
  await once(out, 'close');
  return { path: target, remove: () => rm(dir, { recursive: true, force: true }) };
}

function columnsAfter(layout: CsvLayout, defaults: Record<string, string>): string[] {
  const kept = layout.columns.filter((c) => c !== ERROR_COLUMN);
  return [...kept, ...Object.keys(defaults).filter((k) => !kept.includes(k))];
}

function countLf(text: string | Uint8Array): number {
  let n = 0;
  if (typeof text === 'string') {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  } else {
    for (const b of text) if (b === 0x0a) n++;
  }
  return n;
}
