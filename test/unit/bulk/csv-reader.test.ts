import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { csvLinesOf, openCsv } from '../../../src/bulk/csv-reader.js';
import type { InputLine } from '../../../src/bulk/input-line.js';

/** The file's bytes, delivered in slices of `size` so records and line endings straddle chunks. */
function chunks(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  const slices: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) slices.push(bytes.subarray(i, i + size));
  return Readable.from(slices, { objectMode: true });
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

async function read(text: string | Buffer, size = 7) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const { layout, lines } = await openCsv(chunks(bytes, size));
  const out: InputLine[] = [];
  for await (const line of lines) out.push(line);
  return { layout, lines: out };
}

async function readByRead(bytes: Buffer, size: number) {
  const { linesByRead } = await openCsv(chunks(bytes, size));
  const out: InputLine[] = [];
  for await (const group of linesByRead) for (const line of group) out.push(line);
  return out;
}

const view = (line: InputLine) =>
  'error' in line ? { line: line.line, error: line.error } : { line: line.line, ...line.parameters };

describe('the bulk CSV reader', () => {
  it('reads a spreadsheet export: byte-order mark, CRLF, semicolons', async () => {
    const file = Buffer.concat([
      BOM,
      Buffer.from('ThingName;SerialNumber;Site\r\npump-1;SN-1;plant-7\r\npump-2;SN-2;plant-7\r\n'),
    ]);
    for (const size of [1, 2, 5, 1000]) {
      const { layout, lines } = await read(file, size);
      expect(layout).toMatchObject({
        delimiter: ';',
        columns: ['ThingName', 'SerialNumber', 'Site'],
        bom: true,
        lineEnding: '\r\n',
      });
      expect(lines.map(view)).toEqual([
        { line: 2, ThingName: 'pump-1', SerialNumber: 'SN-1', Site: 'plant-7' },
        { line: 3, ThingName: 'pump-2', SerialNumber: 'SN-2', Site: 'plant-7' },
      ]);
    }
  });

  it('keeps the delimiter, doubled quotes and newlines inside quoted fields, numbering lines where records start', async () => {
    const { layout, lines } = await read(
      'ThingName,Note,Site\n"pump-1","a, b","x"\n"pump-2","line one\r\nline two\nline three",y\npump-3,"say ""hi""",z\n',
    );
    expect(layout.delimiter).toBe(',');
    expect(layout.lineEnding).toBe('\n');
    expect(lines.map(view)).toEqual([
      { line: 2, ThingName: 'pump-1', Note: 'a, b', Site: 'x' },
      { line: 3, ThingName: 'pump-2', Note: 'line one\r\nline two\nline three', Site: 'y' },
      { line: 6, ThingName: 'pump-3', Note: 'say "hi"', Site: 'z' },
    ]);
  });

  it('detects the delimiter from the header row only', async () => {
    const { layout, lines } = await read('ThingName,"Site"\npump;1;2,plant\n');
    expect(layout).toMatchObject({ delimiter: ',', columns: ['ThingName', 'Site'] });
    expect(lines.map(view)).toEqual([{ line: 2, ThingName: 'pump;1;2', Site: 'plant' }]);
    const semicolons = await read('ThingName;Site\npump,1;"a,b"\n');
    expect(semicolons.layout.delimiter).toBe(';');
  });

  it('reads UTF-8 values and trims header names', async () => {
    const { layout, lines } = await read(' ThingName , Site \npumpe-ä,Köln-Süd 東京\n');
    expect(layout.columns).toEqual(['ThingName', 'Site']);
    expect(lines.map(view)).toEqual([{ line: 2, ThingName: 'pumpe-ä', Site: 'Köln-Süd 東京' }]);
  });

  it('treats an empty field as an absent parameter and a missing column as a failed line', async () => {
    const { lines } = await read('ThingName,SerialNumber,Site\npump-1,,plant\npump-2,SN-2\n');
    expect(lines.map(view)).toEqual([
      { line: 2, ThingName: 'pump-1', Site: 'plant' },
      {
        line: 3,
        error:
          "the line has 2 field(s), the header has 3 (ThingName,SerialNumber,Site); a value with ',' in it must be quoted",
      },
    ]);
  });

  it('fails a record with too many fields, and only that line', async () => {
    const { lines } = await read('ThingName,Site\npump-1,plant, extra\npump-2,plant\n');
    expect(lines.map(view)).toEqual([
      { line: 2, error: expect.stringContaining('has 3 field(s), the header has 2') as unknown as string },
      { line: 3, ThingName: 'pump-2', Site: 'plant' },
    ]);
  });

  it('skips empty lines and spreadsheet empty rows, but counts them as lines', async () => {
    const { lines } = await read('ThingName;Site\r\n\r\npump-1;a\r\n;\r\n   \r\npump-2;b');
    expect(lines.map(view)).toEqual([
      { line: 3, ThingName: 'pump-1', Site: 'a' },
      { line: 6, ThingName: 'pump-2', Site: 'b' },
    ]);
  });

  it('fails a badly quoted line and goes on at the next line', async () => {
    const { lines } = await read('ThingName,Site\n"pump-1"x,a\npump"2,b\npump-3,c\npump-4,"never closed\n');
    expect(lines.map(view)).toEqual([
      { line: 2, error: expect.stringContaining('after a closing quote') as unknown as string },
      { line: 3, error: expect.stringContaining('a quote inside a field') as unknown as string },
      { line: 4, ThingName: 'pump-3', Site: 'c' },
      { line: 5, error: expect.stringContaining('never closed') as unknown as string },
    ]);
  });

  it('fails a line that is not UTF-8, and keeps its raw bytes', async () => {
    const file = Buffer.concat([
      Buffer.from('ThingName,Site\npump-1,'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('\npump-2,b\n'),
    ]);
    const { lines } = await read(file);
    expect(lines.map(view)).toEqual([
      { line: 2, error: 'the line is not valid UTF-8' },
      { line: 3, ThingName: 'pump-2', Site: 'b' },
    ]);
    expect(
      Buffer.from(lines[0]?.raw ?? []).equals(Buffer.from([...Buffer.from('pump-1,'), 0xff, 0xfe])),
    ).toBe(true);
  });

  it('hands back each record as it was written, without its line ending', async () => {
    const { layout, lines } = await read('ThingName;Note\r\n"pump-1";"two\r\nlines"\r\n');
    expect(Buffer.from(layout.headerRaw).toString()).toBe('ThingName;Note');
    expect(Buffer.from(lines[0]?.raw ?? []).toString()).toBe('"pump-1";"two\r\nlines"');
  });

  it('refuses files that cannot work before reading any line', async () => {
    await expect(read('')).rejects.toMatchObject({ code: 'BULK_INPUT_EMPTY' });
    await expect(read(Buffer.concat([BOM, Buffer.from('\r\n\r\n')]))).rejects.toMatchObject({
      code: 'BULK_INPUT_EMPTY',
    });
    await expect(read('ThingName,,Site\n')).rejects.toMatchObject({
      code: 'BULK_CSV_HEADER_INVALID',
      message: expect.stringContaining('column 2 has no name') as unknown as string,
    });
    await expect(read('ThingName,Serial Number\n')).rejects.toMatchObject({
      message: expect.stringContaining("'Serial Number' is not a parameter name") as unknown as string,
    });
    await expect(read('ThingName,Site,ThingName\n')).rejects.toMatchObject({
      message: expect.stringContaining("'ThingName' appears twice") as unknown as string,
    });
  });

  it('reads a header-only file as no lines', async () => {
    const { layout, lines } = await read('ThingName,Site');
    expect(layout.columns).toEqual(['ThingName', 'Site']);
    expect(lines).toEqual([]);
  });

  it('reads a field that is not UTF-8 as such before counting fields', async () => {
    const file = Buffer.concat([
      Buffer.from('ThingName,Site\npump-1,'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(',x\n'),
    ]);
    const { lines } = await read(file);
    expect(lines.map(view)).toEqual([{ line: 2, error: 'the line is not valid UTF-8' }]);
  });

  it('drops a byte-order mark at the start of a value, as a strict UTF-8 decoder does', async () => {
    const { lines } = await read('ThingName,Site\n\ufeffpump-1,\ufeffa\ufeffb\n');
    expect(lines.map(view)).toEqual([{ line: 2, ThingName: 'pump-1', Site: 'a\ufeffb' }]);
  });

  const mixed = Buffer.from(
    'ThingName;Note\r\n' +
      'pump-1;short\r\n' +
      `"pump-2";"${'long '.repeat(40)}with ""quotes"" and\r\na newline"\r\n` +
      '\r\n' +
      'pump-3;"x"y\r\n' +
      ';\r\n' +
      'pump-4;Köln\r\n' +
      'pump-5;no line ending',
  );

  it('gives every line its own copy of its bytes and its offsets in the file, in any slicing', async () => {
    for (const size of [1, 3, 64, 100_000]) {
      const { lines } = await read(mixed, size);
      expect(lines.map((l) => l.line)).toEqual([2, 3, 6, 8, 9]);
      for (const line of lines) {
        const inFile = mixed
          .subarray(line.start, line.end)
          .toString()
          .replace(/\r?\n$/, '');
        expect(Buffer.from(line.raw).toString()).toBe(inFile);
      }
      expect(Buffer.from(lines[1]?.raw ?? []).toString()).toContain('with ""quotes"" and\r\na newline"');
    }
  });

  it('reads the same lines grouped by read, lazily, and refuses a group left unread', async () => {
    const { lines: expected } = await read(mixed, 5);
    for (const size of [1, 7, 100_000]) expect(await readByRead(mixed, size)).toEqual(expected);

    const { linesByRead } = await openCsv(chunks(mixed, 40));
    const first = await linesByRead.next();
    expect(first.done).toBe(false);
    // Only the first line of the group is taken.
    (first.value as Iterable<InputLine>)[Symbol.iterator]().next();
    await expect(linesByRead.next()).rejects.toThrow('the records of the previous ones were read');
  });

  it('reads a chunk of a file from its offsets as the whole file reads it', async () => {
    const { layout, lines } = await read(mixed, 9);
    const [, second, third] = lines;
    if (second === undefined || third === undefined) throw new Error('expected lines');
    const slice = mixed.subarray(second.start);
    expect([...csvLinesOf(layout, slice, second.line, second.start)]).toEqual(lines.slice(1));
    expect([
      ...csvLinesOf(layout, mixed.subarray(second.start, third.end), second.line, second.start),
    ]).toEqual([second, third]);
  });
});
