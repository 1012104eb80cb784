import type { InputLine } from './input-line.js';
import { isBlank, parseLine } from './parse-line.js';

const LF = 0x0a;
const CR = 0x0d;

/**
 * NDJSON lines from a byte stream, numbered by physical line, blank lines skipped: the streaming
 * counterpart of `ndjsonLinesOf` for a whole file (one line in memory at a time).
 */
export async function* readNdjsonLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<InputLine> {
  for await (const group of readNdjsonLinesByRead(source)) yield* group;
}

/**
 * The same lines grouped by the read of the source that completed them, each group read lazily
 * and in full before the next is asked for (a pass with no await, so no promise, per line).
 */
export async function* readNdjsonLinesByRead(
  source: AsyncIterable<Uint8Array>,
): AsyncGenerator<Iterable<InputLine>> {
  const state: ReadState = { pending: NO_BYTES, line: 1, offset: 0, unread: false };
  for await (const chunk of source) {
    if (state.unread) throw new Error('readNdjsonLinesByRead: a group of lines was not read in full');
    state.unread = true;
    yield linesOfRead(chunk, state);
  }
  if (state.unread) throw new Error('readNdjsonLinesByRead: a group of lines was not read in full');
  const last = lineAt(state.pending, state.line, state.offset, state.offset + state.pending.length);
  if (last !== undefined) yield [last];
}

const NO_BYTES = new Uint8Array(0);

interface ReadState {
  /** The start of a line whose LF has not been read yet. */
  pending: Uint8Array;
  /** Its number, and the file offset of its first byte. */
  line: number;
  offset: number;
  /** The lines of the last read have not all been asked for. */
  unread: boolean;
}

/**
 * The lines one read completes. Only a line that straddles two reads is copied together; the
 * others are read where they are in the chunk.
 */
function* linesOfRead(chunk: Uint8Array, state: ReadState): Generator<InputLine> {
  let start = 0;
  let end = chunk.indexOf(LF);
  if (state.pending.length > 0) {
    const upTo = end === -1 ? chunk.length : end;
    const joined = new Uint8Array(state.pending.length + upTo);
    joined.set(state.pending);
    joined.set(chunk.subarray(0, upTo), state.pending.length);
    if (end === -1) {
      state.pending = joined;
      state.unread = false;
      return;
    }
    const item = lineAt(joined, state.line, state.offset, state.offset + joined.length + 1);
    state.offset += joined.length + 1;
    state.line += 1;
    start = end + 1;
    end = chunk.indexOf(LF, start);
    if (item !== undefined) yield item;
  }
  for (; end !== -1; end = chunk.indexOf(LF, start)) {
    const item = lineAt(chunk.subarray(start, end), state.line, state.offset, state.offset + end - start + 1);
    state.offset += end - start + 1;
    state.line += 1;
    start = end + 1;
    if (item !== undefined) yield item;
  }
  // A copy, so a few bytes do not keep the whole chunk (a Buffer's `slice` would be a view).
  state.pending = new Uint8Array(chunk.subarray(start));
  state.unread = false;
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
