import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import type { InputLine } from '../../../src/bulk/input-line.js';
import { ndjsonLinesOf, readNdjsonLines, readNdjsonLinesByRead } from '../../../src/bulk/ndjson-reader.js';

async function read(bytes: Buffer, size: number): Promise<InputLine[]> {
  const slices: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) slices.push(bytes.subarray(i, i + size));
  const out: InputLine[] = [];
  for await (const line of readNdjsonLines(Readable.from(slices, { objectMode: true }))) out.push(line);
  return out;
}

const view = (l: InputLine) =>
  'error' in l ? { line: l.line, error: l.error } : { line: l.line, ...l.parameters };

describe('the bulk NDJSON reader', () => {
  it('numbers physical lines, skips blank ones and reads CRLF files, in any chunking', async () => {
    const file = Buffer.from(
      '{"ThingName":"pump-1"}\r\n\r\n  \n{"ThingName":"pumpe-ä","Site":"東京"}\n{"ThingName":"pump-3"}',
    );
    for (const size of [1, 3, 1000]) {
      expect((await read(file, size)).map(view)).toEqual([
        { line: 1, ThingName: 'pump-1' },
        { line: 4, ThingName: 'pumpe-ä', Site: '東京' },
        { line: 5, ThingName: 'pump-3' },
      ]);
    }
  });

  it('fails only the lines that are not JSON objects of strings, or not UTF-8', async () => {
    const file = Buffer.concat([
      Buffer.from('{"ThingName":"a"}\n{oops\n{"ThingName":5}\n["x"]\n{"ThingName":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n{"ThingName":"b"}\n'),
    ]);
    const lines = (await read(file, 4)).map(view);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lines[1]).toMatchObject({ error: expect.stringContaining('not valid JSON') as unknown as string });
    expect(lines[2]).toMatchObject({
      error: expect.stringContaining("the line's parameters are invalid") as unknown as string,
    });
    expect(lines[3]).toMatchObject({
      error: expect.stringContaining("the line's parameters are invalid") as unknown as string,
    });
    expect(lines[4]).toEqual({ line: 5, error: 'the line is not valid UTF-8' });
    expect(lines[5]).toEqual({ line: 6, ThingName: 'b' });
  });

  it('keeps each line as written, without its line ending', async () => {
    const [first] = await read(Buffer.from('{"ThingName": "pump-1"}\r\n'), 5);
    expect(Buffer.from(first?.raw ?? []).toString()).toBe('{"ThingName": "pump-1"}');
  });

  const file = Buffer.from(
    `{"ThingName":"pump-1"}\r\n\n{"ThingName":"pump-2","Note":"${'x'.repeat(100)}"}\n  \n{oops\n{"ThingName":"pump-3"}`,
  );

  it('gives each line its offsets in the file and its own bytes, in any slicing', async () => {
    for (const size of [1, 2, 5, 30, 100_000]) {
      const lines = await read(file, size);
      expect(lines.map((l) => l.line)).toEqual([1, 3, 5, 6]);
      for (const line of lines) {
        const inFile = file
          .subarray(line.start, line.end)
          .toString()
          .replace(/\r?\n$/, '');
        expect(Buffer.from(line.raw).toString()).toBe(inFile);
      }
      expect([...ndjsonLinesOf(file, 1, 0)]).toEqual(lines);
    }
  });

  it('reads the same lines grouped by read, and refuses a group left unread', async () => {
    const expected = await read(file, 7);
    for (const size of [1, 7, 100_000]) {
      const slices: Uint8Array[] = [];
      for (let i = 0; i < file.length; i += size) slices.push(file.subarray(i, i + size));
      const out: InputLine[] = [];
      for await (const group of readNdjsonLinesByRead(Readable.from(slices, { objectMode: true })))
        for (const line of group) out.push(line);
      expect(out).toEqual(expected);
    }
    const groups = readNdjsonLinesByRead(
      Readable.from([file.subarray(0, 60), file.subarray(60)], { objectMode: true }),
    );
    const first = await groups.next();
    // Only the first line of the group is taken.
    (first.value as Iterable<InputLine>)[Symbol.iterator]().next();
    await expect(groups.next()).rejects.toThrow('was not read in full');
  });
});
