/**
 * RFC 4180 records from a byte stream, with the physical line each record starts on. Pure and
 * incremental: `push` takes any slice of the file (a record may span slices and lines), `next`
 * reads the records it completes one at a time, `finish` reads the last record at the end of the
 * file.
 *
 * A record is read in place: its bytes stay in buffers the tokenizer reuses, and the record is
 * readable through the tokenizer (a `CsvRecord`) until the next call to `next` or `finish`. So a
 * file costs no allocation per record here, and only one record is in memory at a time: a reader
 * that handed back every record of a 64 KiB slice at once kept thousands of small objects alive
 * across the young generation's collections, which made V8 grow it (issue 9, BENCHMARKS.md).
 *
 * A record that cannot be read (a quote closed in the middle of a field, a quoted field never
 * closed) has an `error` and its raw bytes, and reading resumes at the next line: one bad record
 * fails that line only. A CR before a LF ends a record with the LF (CRLF files); other CRs are data.
 */
export interface CsvRecord {
  /** 1-based physical line on which the record starts. */
  readonly line: number;
  /** Byte offsets of the record in the stream: its first byte, and just past its line ending. */
  readonly start: number;
  readonly end: number;
  /** Why the record cannot be read; its fields are then incomplete. */
  readonly error: string | undefined;
  readonly fieldCount: number;
  /**
   * Field values (quotes removed, `""` unescaped; not yet decoded) back to back: field `i` is
   * `fieldBytes[fieldStart(i)]` up to `fieldBytes[fieldEnd(i)]`. Overwritten by the next record.
   */
  readonly fieldBytes: Buffer;
  fieldStart(i: number): number;
  fieldEnd(i: number): number;
  /** Whether field `i` was quoted (a quoted empty field is still an empty value). */
  isQuoted(i: number): boolean;
  /** A copy of the record exactly as in the file, without its line ending. */
  raw(): Uint8Array;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const NO_BYTES = new Uint8Array(0);
/** V8's `typed_array_max_size_in_heap`: typed arrays up to this size live in the JS heap. */
const SMALL_RECORD = 64;

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'skipToLineEnd';

/** A growable byte buffer, reused between records so a long file does not allocate per byte. */
class Bytes {
  buffer = Buffer.allocUnsafeSlow(256);
  length = 0;

  push(byte: number): void {
    if (this.length === this.buffer.length) {
      const bigger = Buffer.allocUnsafeSlow(this.buffer.length * 2);
      this.buffer.copy(bigger);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = byte;
  }

  clear(): void {
    this.length = 0;
  }
}

/** A growable list of small integers, reused between records. */
class Ints {
  values = new Int32Array(16);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const bigger = new Int32Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }

  clear(): void {
    this.length = 0;
  }
}

export class CsvTokenizer implements CsvRecord {
  private state: State = 'fieldStart';
  private lineNow: number;
  private readonly rawBytes = new Bytes();
  /** Every field's content of the current record, back to back; `fieldEnds` marks where each ends. */
  private readonly field = new Bytes();
  private readonly fieldEnds = new Ints();
  /** 1 where the field was quoted. */
  private readonly quoted = new Ints();
  private fieldQuoted = false;
  private recordError: string | undefined;
  /** A CR seen outside quotes whose meaning (line ending or data) depends on the next byte. */
  private pendingCr = false;
  /** Bytes consumed so far, counted from `firstOffset`. */
  private offset: number;
  /** The record in the buffers is complete (readable); the next byte starts a new one. */
  private complete = false;
  /** The bytes being read, and the first of them not read yet. */
  private input: Uint8Array = NO_BYTES;
  private position = 0;

  // The completed record (CsvRecord).
  line: number;
  start: number;
  end: number;
  error: string | undefined;

  constructor(
    private readonly delimiter: number,
    /** Physical line number of the first byte pushed. */
    firstLine = 1,
    /** Offset in the file of the first byte pushed, so records carry file offsets. */
    firstOffset = 0,
  ) {
    this.lineNow = firstLine;
    this.line = firstLine;
    this.offset = firstOffset;
    this.start = firstOffset;
    this.end = firstOffset;
  }

  /** The next bytes of the file; every record the previous ones completed must have been read. */
  push(bytes: Uint8Array): void {
    if (this.position < this.input.length)
      throw new Error('CsvTokenizer: bytes pushed before the records of the previous ones were read');
    this.input = bytes;
    this.position = 0;
  }

  /** Reads the next record the bytes pushed so far complete: false when they complete no more. */
  next(): boolean {
    this.startRecordIfComplete();
    const input = this.input;
    for (let i = this.position; i < input.length; i++) {
      const byte = input[i] ?? 0;
      this.offset += 1;
      if (this.pendingCr) {
        this.pendingCr = false;
        if (byte !== LF) this.data(CR);
      }
      if (byte === LF) {
        this.lineNow += 1;
        if (this.state === 'quoted') {
          this.rawBytes.push(byte);
          this.field.push(byte);
          continue;
        }
        this.position = i + 1;
        this.finishRecord();
        return true;
      }
      if (byte === CR && this.state !== 'quoted') {
        // Kept out of `raw` until we know it is not the CR of a CRLF.
        this.pendingCr = true;
        continue;
      }
      this.rawBytes.push(byte);
      this.step(byte);
    }
    this.position = input.length;
    return false;
  }

  /**
   * At the end of the file, after `next` returned false: reads the last record if the file does
   * not end with a line ending (true), else false.
   */
  finish(): boolean {
    if (this.position < this.input.length)
      throw new Error('CsvTokenizer: finished before the records of the last bytes were read');
    this.startRecordIfComplete();
    if (this.pendingCr) {
      this.pendingCr = false;
      this.data(CR);
    }
    if (this.state === 'quoted') this.fail('a quoted field is never closed (a missing closing quote)');
    const empty = this.rawBytes.length === 0 && this.fieldEnds.length === 0 && this.state === 'fieldStart';
    if (empty) return false;
    this.finishRecord();
    return true;
  }

  get fieldCount(): number {
    return this.fieldEnds.length;
  }

  get fieldBytes(): Buffer {
    return this.field.buffer;
  }

  fieldStart(i: number): number {
    return i === 0 ? 0 : (this.fieldEnds.values[i - 1] ?? 0);
  }

  fieldEnd(i: number): number {
    return this.fieldEnds.values[i] ?? 0;
  }

  isQuoted(i: number): boolean {
    return i < this.quoted.length && this.quoted.values[i] === 1;
  }

  raw(): Uint8Array {
    const { buffer, length } = this.rawBytes;
    const copy = new Uint8Array(length);
    // V8 keeps a small typed array's bytes in its own heap object; handing it to native code (as
    // Buffer#copy does) would move them out, an allocation several times the record's size.
    if (length <= SMALL_RECORD) for (let i = 0; i < length; i++) copy[i] = buffer[i] ?? 0;
    else copy.set(buffer.subarray(0, length));
    return copy;
  }

  /** A CR that turned out to be data, not part of a line ending. */
  private data(byte: number): void {
    this.rawBytes.push(byte);
    this.step(byte);
  }

  private step(byte: number): void {
    switch (this.state) {
      case 'skipToLineEnd':
        return;
      case 'fieldStart':
        if (byte === QUOTE) {
          this.fieldQuoted = true;
          this.state = 'quoted';
        } else if (byte === this.delimiter) {
          this.endField();
        } else {
          this.field.push(byte);
          this.state = 'unquoted';
        }
        return;
      case 'unquoted':
        if (byte === this.delimiter) this.endField();
        else if (byte === QUOTE)
          this.fail('a quote inside a field that does not start with one (quote the whole field)');
        else this.field.push(byte);
        return;
      case 'quoted':
        if (byte === QUOTE) this.state = 'quoteInQuoted';
        else this.field.push(byte);
        return;
      case 'quoteInQuoted':
        if (byte === QUOTE) {
          this.field.push(QUOTE);
          this.state = 'quoted';
        } else if (byte === this.delimiter) {
          this.endField();
        } else {
          this.fail('text after a closing quote (write a quote inside a quoted field as "")');
        }
        return;
    }
  }

  private endField(): void {
    this.fieldEnds.push(this.field.length);
    this.quoted.push(this.fieldQuoted ? 1 : 0);
    this.fieldQuoted = false;
    this.state = 'fieldStart';
  }

  private fail(reason: string): void {
    this.recordError ??= reason;
    this.state = 'skipToLineEnd';
  }

  private finishRecord(): void {
    if (this.state !== 'skipToLineEnd') this.endField();
    this.error = this.recordError;
    this.end = this.offset;
    this.complete = true;
  }

  /** Empties the buffers of a record already read, so the next byte starts the next record. */
  private startRecordIfComplete(): void {
    if (!this.complete) return;
    this.complete = false;
    this.fieldEnds.clear();
    this.quoted.clear();
    this.field.clear();
    this.rawBytes.clear();
    this.fieldQuoted = false;
    this.recordError = undefined;
    this.error = undefined;
    this.state = 'fieldStart';
    this.line = this.lineNow;
    this.start = this.offset;
  }
}
