/**
 * RFC 4180 records from a byte stream, with the physical line each record starts on. Pure and
 * incremental: `push` takes any slice of the file (a record may span slices and lines), `end`
 * flushes the last record. Memory is one record at a time.
 *
 * A record that cannot be read (a quote closed in the middle of a field, a quoted field never
 * closed) is returned with an `error` and its raw bytes, and reading resumes at the next line: one
 * bad record fails that line only. A CR before a LF ends a record with the LF (CRLF files); other
 * CRs are data.
 */
export interface RawRecord {
  /** 1-based physical line on which the record starts. */
  line: number;
  /** Field values as bytes (quotes removed, `""` unescaped); not yet decoded. */
  fields: Uint8Array[];
  /** Whether each field was quoted (a quoted empty field is still an empty value). */
  quoted: boolean[];
  /** The record exactly as in the file, without its line ending. */
  raw: Uint8Array;
  /** Byte offsets of the record in the stream: its first byte, and just past its line ending. */
  start: number;
  end: number;
  /** Why the record cannot be read; its fields are then incomplete. */
  error?: string;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'skipToLineEnd';

/** A growable byte buffer, reused between records so a long file does not allocate per byte. */
class Bytes {
  private buffer = new Uint8Array(256);
  length = 0;

  push(byte: number): void {
    if (this.length === this.buffer.length) {
      const bigger = new Uint8Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = byte;
  }

  /** The bytes so far, without copying (valid until the next push or clear). */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}

export class CsvTokenizer {
  private state: State = 'fieldStart';
  private line: number;
  private recordLine: number;
  private readonly raw = new Bytes();
  /** Every field's content of the current record, back to back; `fieldEnds` marks where each ends. */
  private readonly field = new Bytes();
  private fieldEnds: number[] = [];
  private quoted: boolean[] = [];
  private fieldQuoted = false;
  private error: string | undefined;
  /** A CR seen outside quotes whose meaning (line ending or data) depends on the next byte. */
  private pendingCr = false;
  /** Bytes consumed so far, counted from `firstOffset`, and where the current record began. */
  private offset: number;
  private recordStart: number;

  constructor(
    private readonly delimiter: number,
    /** Physical line number of the first byte pushed. */
    firstLine = 1,
    /** Offset in the file of the first byte pushed, so records carry file offsets. */
    firstOffset = 0,
  ) {
    this.line = firstLine;
    this.recordLine = firstLine;
    this.offset = firstOffset;
    this.recordStart = firstOffset;
  }

  /** The records completed by these bytes. */
  push(bytes: Uint8Array): RawRecord[] {
    const out: RawRecord[] = [];
    for (const byte of bytes) {
      this.offset += 1;
      if (this.pendingCr) {
        this.pendingCr = false;
        if (byte !== LF) this.data(CR);
      }
      if (byte === LF) {
        this.line += 1;
        if (this.state === 'quoted') {
          this.raw.push(byte);
          this.field.push(byte);
          continue;
        }
        out.push(this.finishRecord());
        continue;
      }
      if (byte === CR && this.state !== 'quoted') {
        // Kept out of `raw` until we know it is not the CR of a CRLF.
        this.pendingCr = true;
        continue;
      }
      this.raw.push(byte);
      this.step(byte);
    }
    return out;
  }

  /** The last record, if the file does not end with a line ending. */
  end(): RawRecord[] {
    if (this.pendingCr) {
      this.pendingCr = false;
      this.data(CR);
    }
    if (this.state === 'quoted') this.fail('a quoted field is never closed (a missing closing quote)');
    const empty = this.raw.length === 0 && this.fieldEnds.length === 0 && this.state === 'fieldStart';
    return empty ? [] : [this.finishRecord()];
  }

  /** A CR that turned out to be data, not part of a line ending. */
  private data(byte: number): void {
    this.raw.push(byte);
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
    this.quoted.push(this.fieldQuoted);
    this.fieldQuoted = false;
    this.state = 'fieldStart';
  }

  private fail(reason: string): void {
    this.error ??= reason;
    this.state = 'skipToLineEnd';
  }

  private finishRecord(): RawRecord {
    if (this.state !== 'skipToLineEnd') this.endField();
    // One allocation per record, raw bytes then field bytes; the record's arrays are views of it.
    const rawLength = this.raw.length;
    const bytes = new Uint8Array(rawLength + this.field.length);
    bytes.set(this.raw.view());
    bytes.set(this.field.view(), rawLength);
    const fields: Uint8Array[] = [];
    let start = rawLength;
    for (const end of this.fieldEnds) {
      fields.push(bytes.subarray(start, rawLength + end));
      start = rawLength + end;
    }
    const record: RawRecord = {
      line: this.recordLine,
      fields,
      quoted: this.quoted,
      raw: bytes.subarray(0, rawLength),
      start: this.recordStart,
      end: this.offset,
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
    this.fieldEnds = [];
    this.quoted = [];
    this.field.clear();
    this.raw.clear();
    this.fieldQuoted = false;
    this.error = undefined;
    this.state = 'fieldStart';
    this.recordLine = this.line;
    this.recordStart = this.offset;
    return record;
  }
}
