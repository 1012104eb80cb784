import { CsvTokenizer, type CsvRecord } from './csv-tokenizer.js';
import { BulkInputError } from './errors.js';
import { PARAMETER_NAME, type InputLine } from './input-line.js';

/**
 * A bulk CSV file as the contract defines it: UTF-8 with or without a byte-order mark, CRLF or LF,
 * RFC 4180 quoting, `,` or `;` (whichever the header row uses outside quotes), a header row naming
 * the template parameters (trimmed), empty lines skipped, an empty field meaning the parameter is
 * absent, and a record with the wrong number of fields failing that line only.
 *
 * Records whose fields are all empty (`;;`, the rows a spreadsheet writes for empty rows it once
 * formatted) are skipped like empty lines.
 */
export interface CsvLayout {
  delimiter: ',' | ';';
  columns: string[];
  /** The file started with a UTF-8 byte-order mark (spreadsheets want it back). */
  bom: boolean;
  /** The header's line ending, for files written back in the same style. */
  lineEnding: '\r\n' | '\n';
  /** Physical line of the header (1 unless the file starts with empty lines). */
  headerLine: number;
  /** The header row exactly as in the file. */
  headerRaw: Uint8Array;
}

/** What reading a record needs once the header is known (stored on a CSV bulk task by its planner). */
export type CsvColumns = Pick<CsvLayout, 'delimiter' | 'columns'>;

export interface CsvInput {
  layout: CsvLayout;
  /** The lines one at a time. Read either these or `linesByRead`, not both. */
  lines: AsyncGenerator<InputLine>;
  /**
   * The same lines grouped by the read of the source that completed them, each group read lazily
   * (no line is made before it is asked for) and in full before the next group is asked for: a
   * pass with no await per line, so it makes no promise per line either.
   */
  linesByRead: AsyncGenerator<Iterable<InputLine>>;
}

const BOM = [0xef, 0xbb, 0xbf];
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
/** A header longer than this is not a header: the file is not a CSV of parameters. */
const MAX_HEADER_BYTES = 1024 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the header now (so a file that cannot work fails before any line); the lines stream after. */
export async function openCsv(source: AsyncIterable<Uint8Array>): Promise<CsvInput> {
  const iterator = source[Symbol.asyncIterator]();
  let prefix: Uint8Array = new Uint8Array(0);
  let found: HeaderBounds | undefined;
  let exhausted = false;
  while (found === undefined) {
    const next = await iterator.next();
    if (next.done === true) {
      exhausted = true;
      found = headerBounds(prefix, true);
      break;
    }
    prefix = concat(prefix, next.value);
    found = headerBounds(prefix, false);
    if (found === undefined && prefix.length > MAX_HEADER_BYTES)
      throw new BulkInputError(
        'BULK_CSV_HEADER_INVALID',
        'The first line of the CSV is longer than 1 MiB: the file is not a CSV with a header row',
      );
  }
  if (found === undefined)
    throw new BulkInputError('BULK_INPUT_EMPTY', 'The CSV file is empty: it needs a header row and lines');

  const bom = BOM.every((b, i) => prefix[i] === b);
  const delimiter =
    countOutsideQuotes(prefix, found.start, found.end, SEMICOLON) >
    countOutsideQuotes(prefix, found.start, found.end, COMMA)
      ? ';'
      : ',';
  const tokenizer = new CsvTokenizer(delimiter.charCodeAt(0), found.line, found.start);
  tokenizer.push(prefix.subarray(found.start));
  // The header's line ending is in the prefix unless the file is only the header.
  if (!tokenizer.next() && !(exhausted && tokenizer.finish()))
    throw new BulkInputError('BULK_INPUT_EMPTY', 'The CSV file is empty: it needs a header row and lines');
  const layout: CsvLayout = {
    delimiter,
    columns: headerColumns(tokenizer),
    bom,
    lineEnding: found.end > 0 && prefix[found.end - 1] === CR ? '\r\n' : '\n',
    headerLine: found.line,
    headerRaw: tokenizer.raw(),
  };
  const linesByRead = linesByReadOf(layout, tokenizer, exhausted ? undefined : iterator);
  return { layout, lines: oneByOne(linesByRead), linesByRead };
}

async function* linesByReadOf(
  layout: CsvLayout,
  tokenizer: CsvTokenizer,
  rest: AsyncIterator<Uint8Array> | undefined,
): AsyncGenerator<Iterable<InputLine>> {
  // The lines after the header in the bytes read with it.
  yield linesFrom(layout, tokenizer, rest === undefined);
  if (rest === undefined) return;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) {
    tokenizer.push(next.value);
    yield linesFrom(layout, tokenizer, false);
  }
  yield linesFrom(layout, tokenizer, true);
}

async function* oneByOne(groups: AsyncIterable<Iterable<InputLine>>): AsyncGenerator<InputLine> {
  for await (const group of groups) yield* group;
}

/** The lines of the records the bytes pushed so far complete, and at the end the last one. */
function* linesFrom(layout: CsvColumns, tokenizer: CsvTokenizer, atEnd: boolean): Generator<InputLine> {
  while (tokenizer.next()) {
    const line = toLine(layout, tokenizer);
    if (line !== undefined) yield line;
  }
  if (atEnd && tokenizer.finish()) {
    const line = toLine(layout, tokenizer);
    if (line !== undefined) yield line;
  }
}

/**
 * The lines of a slice of a CSV file that starts at a record's first byte, after the header (a
 * chunk's bytes): read exactly as the whole file is, since the tokenizer's state at a record's
 * start is always its first.
 */
export function csvLinesOf(
  layout: CsvColumns,
  slice: Uint8Array,
  firstLine: number,
  firstOffset: number,
): Generator<InputLine> {
  const tokenizer = new CsvTokenizer(layout.delimiter.charCodeAt(0), firstLine, firstOffset);
  tokenizer.push(slice);
  return linesFrom(layout, tokenizer, true);
}

/** A record as a device's parameters, or the reason it fails; undefined for an empty row. */
export function toLine(layout: CsvColumns, record: CsvRecord): InputLine | undefined {
  const { line, start, end } = record;
  if (record.error !== undefined) return { line, raw: record.raw(), start, end, error: record.error };
  if (isEmptyRow(record)) return undefined;
  const count = record.fieldCount;
  const expected = layout.columns.length;
  if (count !== expected) {
    // An invalid byte is the first thing to fix, so it is the reason given.
    for (let i = 0; i < count; i++)
      if (textOf(record, i) === undefined) return { line, raw: record.raw(), start, end, error: NOT_UTF8 };
    return {
      line,
      raw: record.raw(),
      start,
      end,
      error: `the line has ${count} field(s), the header has ${expected} (${layout.columns.join(layout.delimiter)}); a value with '${layout.delimiter}' in it must be quoted`,
    };
  }
  const parameters: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const value = textOf(record, i);
    if (value === undefined) return { line, raw: record.raw(), start, end, error: NOT_UTF8 };
    const column = layout.columns[i];
    if (column !== undefined && value !== '') parameters[column] = value;
  }
  return { line, raw: record.raw(), start, end, parameters };
}

const NOT_UTF8 = 'the line is not valid UTF-8';

/**
 * Field `i` decoded as UTF-8, or undefined if it is not valid UTF-8. An ASCII field (the usual
 * case) is decoded straight from the tokenizer's buffer, without a view of it; any other goes
 * through the strict decoder, which also drops a leading byte-order mark.
 */
function textOf(record: CsvRecord, i: number): string | undefined {
  const bytes = record.fieldBytes;
  const from = record.fieldStart(i);
  const to = record.fieldEnd(i);
  if (from === to) return '';
  let ascii = true;
  for (let j = from; j < to; j++)
    if ((bytes[j] ?? 0) >= 0x80) {
      ascii = false;
      break;
    }
  if (ascii) return bytes.toString('latin1', from, to);
  try {
    return utf8.decode(bytes.subarray(from, to));
  } catch {
    return undefined;
  }
}

function isEmptyRow(record: CsvRecord): boolean {
  const bytes = record.fieldBytes;
  if (record.fieldCount === 1) {
    if (record.isQuoted(0)) return false;
    for (let j = record.fieldStart(0); j < record.fieldEnd(0); j++) if (!isSpace(bytes[j] ?? 0)) return false;
    return true;
  }
  for (let i = 0; i < record.fieldCount; i++)
    if (record.fieldEnd(i) !== record.fieldStart(i) || record.isQuoted(i)) return false;
  return true;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09;
}

function headerColumns(header: CsvRecord): string[] {
  if (header.error !== undefined)
    throw new BulkInputError(
      'BULK_CSV_HEADER_INVALID',
      `The CSV header (line ${header.line}): ${header.error}`,
    );
  const names: string[] = [];
  for (let i = 0; i < header.fieldCount; i++) {
    const name = textOf(header, i);
    if (name === undefined)
      throw new BulkInputError(
        'BULK_CSV_HEADER_INVALID',
        `The CSV header (line ${header.line}) is not valid UTF-8`,
      );
    names.push(name.trim());
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === '') problems.push(`column ${i + 1} has no name`);
    else if (!PARAMETER_NAME.test(name))
      problems.push(`column ${i + 1} '${name}' is not a parameter name (letters, digits and : _ . -)`);
    else if (seen.has(name)) problems.push(`column '${name}' appears twice`);
    seen.add(name);
  });
  if (problems.length > 0)
    throw new BulkInputError(
      'BULK_CSV_HEADER_INVALID',
      `The CSV header (line ${header.line}) names the template parameters, one per column: ${problems.join('; ')}`,
    );
  return names;
}

interface HeaderBounds {
  /** First byte of the header (after the BOM and any empty lines). */
  start: number;
  /** The header's LF (or the end of the bytes). */
  end: number;
  line: number;
}

/** Where the header row is in `bytes`; undefined while its end has not arrived yet. */
function headerBounds(bytes: Uint8Array, complete: boolean): HeaderBounds | undefined {
  let start = BOM.every((b, i) => bytes[i] === b) ? 3 : 0;
  let line = 1;
  let inQuotes = false;
  let blank = true;
  for (let i = start; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) inQuotes = !inQuotes;
    if (byte === LF && !inQuotes) {
      if (!blank) return { start, end: i, line };
      line += 1;
      start = i + 1;
      continue;
    }
    if (byte !== undefined && byte !== CR && !isSpace(byte)) blank = false;
  }
  if (!complete) return undefined;
  return blank ? undefined : { start, end: bytes.length, line };
}

function countOutsideQuotes(bytes: Uint8Array, start: number, end: number, target: number): number {
  let count = 0;
  let inQuotes = false;
  for (let i = start; i < end; i++) {
    if (bytes[i] === QUOTE) inQuotes = !inQuotes;
    else if (!inQuotes && bytes[i] === target) count += 1;
  }
  return count;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
