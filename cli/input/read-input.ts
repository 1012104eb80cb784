import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { openCsv, type CsvLayout } from '../../src/bulk/csv-reader.js';
import type { InputLine } from '../../src/bulk/input-line.js';
import { readNdjsonLines, readNdjsonLinesByRead } from '../../src/bulk/ndjson-reader.js';
import { isServiceError } from '../../src/errors.js';
import { InputRefusedError, errnoOf } from '../errors.js';
import { formatOf, type InputFormat } from './input-format.js';

export interface InputFile {
  path: string;
  format: InputFormat;
  /** CSV only: delimiter, columns, BOM and line ending. */
  layout?: CsvLayout;
  /** The lines one at a time. Read either these or `linesByRead`, not both. */
  lines: AsyncGenerator<InputLine>;
  /**
   * The same lines grouped by the read of the file that completed them, each group read in full
   * before the next is asked for: a pass with no await, so no promise, per line.
   */
  linesByRead: AsyncGenerator<Iterable<InputLine>>;
  /** SHA-256 of every byte read so far: the file's content hash once `lines` is exhausted. */
  digest(): string;
}

const CHUNK = 64 * 1024;

/**
 * Opens a bulk input file for one streaming pass. A file that cannot be read, or a CSV whose
 * header cannot work, is refused here, before any line.
 */
export async function readInput(path: string): Promise<InputFile> {
  const format = formatOf(path, await firstBytes(path));
  const hash = createHash('sha256');
  const source = hashed(createReadStream(path, { highWaterMark: CHUNK }), hash, path);
  let digest: string | undefined;
  const done = () => (digest ??= hash.digest('hex'));
  try {
    if (format === 'csv') {
      const { layout, lines, linesByRead } = await openCsv(source);
      return { path, format, layout, lines, linesByRead, digest: done };
    }
    // Generators run only when read, so only the one read takes the source.
    return {
      path,
      format,
      lines: readNdjsonLines(source),
      linesByRead: readNdjsonLinesByRead(source),
      digest: done,
    };
  } catch (e: unknown) {
    if (isServiceError(e) && !(e instanceof InputRefusedError))
      throw new InputRefusedError(e.code, `${path}: ${e.message}`);
    throw e;
  }
}

async function firstBytes(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e: unknown) {
    throw unreadable(path, e);
  }
  try {
    const buffer = new Uint8Array(512);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } catch (e: unknown) {
    throw unreadable(path, e);
  } finally {
    await handle.close();
  }
}

async function* hashed(stream: AsyncIterable<Buffer>, hash: Hash, path: string): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of stream) {
      hash.update(chunk);
      yield chunk;
    }
  } catch (e: unknown) {
    throw unreadable(path, e);
  }
}

function unreadable(path: string, e: unknown): InputRefusedError {
  const code = errnoOf(e);
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : e instanceof Error
            ? e.message
            : String(e);
  return new InputRefusedError('INPUT_UNREADABLE', `Cannot read ${path}: ${why}`);
}
