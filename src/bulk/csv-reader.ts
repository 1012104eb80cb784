import { CsvTokenizer, type RawRecord } from './csv-tokenizer.js';
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
  lines: AsyncGenerator<InputLine>;
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
  const body = prefix.subarray(found.start);
  const first = [...tokenizer.push(body)];
  if (exhausted) first.push(...tokenizer.end());
  const header = first.shift();
  if (header === undefined)
    throw new BulkInputError('BULK_INPUT_EMPTY', 'The CSV file is empty: it needs a header row and lines');
  const layout: CsvLayout = {
    delimiter,
    columns: headerColumns(header),
    bom,
    lineEnding: found.end > 0 && prefix[found.end - 1] === CR ? '\r\n' : '\n',
    headerLine: found.line,
    headerRaw: header.raw,
  };
  return { layout, lines: linesOf(layout, first, tokenizer, exhausted ? undefined : iterator) };
}

async function* linesOf(
  layout: CsvLayout,
  first: RawRecord[],
  tokenizer: CsvTokenizer,
  rest: AsyncIterator<Uint8Array> | undefined,
): AsyncGenerator<InputLine> {
  for (const record of first) {
    const line = toLine(layout, record);
    if (line !== undefined) yield line;
  }
  if (rest === undefined) return;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) {
    for (const record of tokenizer.push(next.value)) {
      const line = toLine(layout, record);
      if (line !== undefined) yield line;
    }
  }
  for (const record of tokenizer.end()) {
    const line = toLine(layout, record);
    if (line !== undefined) yield line;
  }
}

/**
 * The lines of a slice of a CSV file that starts at a record's first byte, after the header (a
 * chunk's bytes): read exactly as the whole file is, since the tokenizer's state at a record's
 * start is always its first.
 */
export function* csvLinesOf(
  layout: CsvColumns,
  slice: Uint8Array,
  firstLine: number,
  firstOffset: number,
): Generator<InputLine> {
  const tokenizer = new CsvTokenizer(layout.delimiter.charCodeAt(0), firstLine, firstOffset);
  for (const record of [...tokenizer.push(slice), ...tokenizer.end()]) {
    const line = toLine(layout, record);
    if (line !== undefined) yield line;
  }
}

/** A record as a device's parameters, or the reason it fails; undefined for an empty row. */
export function toLine(layout: CsvColumns, record: RawRecord): InputLine | undefined {
  const { line, raw, start, end } = record;
  if (record.error !== undefined) return { line, raw, start, end, error: record.error };
  if (isEmptyRow(record)) return undefined;
  const values: string[] = [];
  for (const field of record.fields) {
    try {
      values.push(utf8.decode(field));
    } catch {
      return { line, raw, start, end, error: 'the line is not valid UTF-8' };
    }
  }
  const expected = layout.columns.length;
  if (values.length !== expected)
    return {
      line,
      raw,
      start,
      end,
      error: `the line has ${values.length} field(s), the header has ${expected} (${layout.columns.join(layout.delimiter)}); a value with '${layout.delimiter}' in it must be quoted`,
    };
  const parameters: Record<string, string> = {};
  layout.columns.forEach((column, i) => {
    const value = values[i];
    if (value !== undefined && value !== '') parameters[column] = value;
  });
  return { line, raw, start, end, parameters };
}

function isEmptyRow(record: RawRecord): boolean {
  if (record.fields.length === 1) return !record.quoted[0] && (record.fields[0] ?? []).every(isSpace);
  return record.fields.every((f, i) => f.length === 0 && record.quoted[i] !== true);
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09;
}

function headerColumns(header: RawRecord): string[] {
  if (header.error !== undefined)
    throw new BulkInputError(
      'BULK_CSV_HEADER_INVALID',
      `The CSV header (line ${header.line}): ${header.error}`,
    );
  let names: string[];
  try {
    names = header.fields.map((f) => utf8.decode(f).trim());
  } catch {
    throw new BulkInputError(
      'BULK_CSV_HEADER_INVALID',
      `The CSV header (line ${header.line}) is not valid UTF-8`,
    );
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
