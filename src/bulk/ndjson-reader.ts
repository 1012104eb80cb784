import type { InputLine } from './input-line.js';
import { isBlank, parseLine } from './parse-line.js';

const LF = 0x0a;
const CR = 0x0d;

/**
 * NDJSON lines from a byte stream, numbered by physical line, blank lines skipped: the streaming
 * counterpart of `linesOf` for a whole file (one line in memory at a time).
 */
export async function* readNdjsonLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<InputLine> {
  let pending: Uint8Array = new Uint8Array(0);
  let line = 1;
  for await (const chunk of source) {
    let start = 0;
    let data = chunk;
    if (pending.length > 0) {
      data = new Uint8Array(pending.length + chunk.length);
      data.set(pending);
      data.set(chunk, pending.length);
    }
    for (let end = data.indexOf(LF, start); end !== -1; end = data.indexOf(LF, start)) {
      const item = lineAt(data.subarray(start, end), line);
      if (item !== undefined) yield item;
      line += 1;
      start = end + 1;
    }
    pending = data.slice(start);
  }
  const last = lineAt(pending, line);
  if (last !== undefined) yield last;
}

function lineAt(bytes: Uint8Array, line: number): InputLine | undefined {
  if (isBlank(bytes)) return undefined;
  const raw = bytes[bytes.length - 1] === CR ? bytes.slice(0, -1) : bytes.slice();
  const parsed = parseLine(raw);
  return 'error' in parsed
    ? { line, raw, error: parsed.error }
    : { line, raw, parameters: parsed.parameters };
}
