import type { InputLine } from './input-line.js';
import { isBlank, parseLine } from './parse-line.js';

const LF = 0x0a;
const CR = 0x0d;

/**
 * NDJSON lines from a byte stream, numbered by physical line, blank lines skipped: the streaming
 * counterpart of `ndjsonLinesOf` for a whole file (one line in memory at a time).
 */
export async function* readNdjsonLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<InputLine> {
  let pending: Uint8Array = new Uint8Array(0);
  let line = 1;
  /** File offset of `pending`'s first byte. */
  let offset = 0;
  for await (const chunk of source) {
    let data = chunk;
    if (pending.length > 0) {
      data = new Uint8Array(pending.length + chunk.length);
      data.set(pending);
      data.set(chunk, pending.length);
    }
    let start = 0;
    for (let end = data.indexOf(LF, start); end !== -1; end = data.indexOf(LF, start)) {
      const item = lineAt(data.subarray(start, end), line, offset + start, offset + end + 1);
      if (item !== undefined) yield item;
      line += 1;
      start = end + 1;
    }
    pending = data.slice(start);
    offset += start;
  }
  const last = lineAt(pending, line, offset, offset + pending.length);
  if (last !== undefined) yield last;
}

/** The lines of a slice of an NDJSON file that starts at a line's first byte (a chunk's bytes). */
export function* ndjsonLinesOf(
  slice: Uint8Array,
  firstLine: number,
  firstOffset: number,
): Generator<InputLine> {
  let start = 0;
  let line = firstLine;
  while (start < slice.length) {
    let end = slice.indexOf(LF, start);
    const next = end === -1 ? slice.length : end + 1;
    if (end === -1) end = slice.length;
    const item = lineAt(slice.subarray(start, end), line, firstOffset + start, firstOffset + next);
    if (item !== undefined) yield item;
    start = next;
    line += 1;
  }
}

function lineAt(bytes: Uint8Array, line: number, start: number, end: number): InputLine | undefined {
  if (isBlank(bytes)) return undefined;
  const raw = bytes[bytes.length - 1] === CR ? bytes.slice(0, -1) : bytes.slice();
  const parsed = parseLine(raw);
  return 'error' in parsed
    ? { line, raw, start, end, error: parsed.error }
    : { line, raw, start, end, parameters: parsed.parameters };
}
