// Splits a byte stream into records: lines, except that (for CSV) a newline inside a quoted field
// belongs to the field (RFC 4180). It works on bytes, chunk by chunk, so a record may span chunks
// and nothing is decoded until a whole record is known. Memory is bounded: a record longer than
// `maxRecordBytes` is skipped to its end and reported, never held.
//
// Quote tracking follows RFC 4180's grammar: a quote opens a quoted field only at the start of a
// field; inside one, "" is a quote and a lone " closes it. The strict check of each record (a
// quote in the middle of an unquoted field, text after a closing quote) is csv-record.ts's job;
// here a malformed record only needs to end where a valid one would.

/** Why a record was not passed on. */
export type SplitProblem = 'record_too_large' | 'unterminated_quote';

/** A record's bytes (without its line ending), or what was wrong with it. */
export type SplitRecord =
  | { readonly line: number; readonly bytes: Buffer; readonly problem?: undefined }
  | { readonly line: number; readonly bytes?: undefined; readonly problem: SplitProblem };

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTED_QUOTE = 3; // a quote seen inside a quoted field: closes it, or starts ""

/** A resumable splitter; feed it chunks with `push`, then call `end`. */
export class RecordSplitter {
  readonly #quotes: boolean;
  readonly #max: number;
  #line = 1;
  #recordLine = 1;
  #state = FIELD_START;
  #carry: Buffer[] = [];
  #carryBytes = 0;
  #oversize = false;
  #started = false;
  #head: Buffer | null = null;
  #bytes = 0;

  /**
   * @param options `quotes`: CSV quoting (false for NDJSON, where every newline ends a record);
   *   `maxRecordBytes`: the longest record passed on.
   */
  constructor(options: { quotes: boolean; maxRecordBytes: number }) {
    this.#quotes = options.quotes;
    this.#max = options.maxRecordBytes;
  }

  /** Bytes consumed so far. */
  get bytesRead(): number {
    return this.#bytes;
  }

  #emit(out: SplitRecord[], tail: Buffer): void {
    const line = this.#recordLine;
    if (this.#oversize) {
      out.push({ line, problem: 'record_too_large' });
    } else {
      let bytes = tail;
      if (this.#carryBytes > 0) {
        this.#carry.push(tail);
        bytes = Buffer.concat(this.#carry, this.#carryBytes + tail.length);
      }
      if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, -1);
      if (bytes.length > this.#max) out.push({ line, problem: 'record_too_large' });
      else if (bytes.length > 0) out.push({ line, bytes });
    }
    this.#carry = [];
    this.#carryBytes = 0;
    this.#oversize = false;
    this.#state = FIELD_START;
  }

  /** Splits `input` (continuing the record the previous chunk ended in) and appends to `out`. */
  push(input: Buffer, out: SplitRecord[]): void {
    this.#bytes += input.length;
    let chunk = input;
    if (!this.#started) {
      // A UTF-8 byte order mark at the very start is not data.
      const head: Buffer = this.#head === null ? chunk : Buffer.concat([this.#head, chunk]);
      if (head.length < 3) {
        this.#head = head;
        return;
      }
      this.#head = null;
      this.#started = true;
      chunk = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
    }
    const length = chunk.length;
    const max = this.#max;
    const quotes = this.#quotes;
    let p = 0;
    let start = 0; // where the current record's bytes begin in this chunk
    let nextQuote = quotes ? chunk.indexOf(QUOTE, 0) : -1;
    while (p < length) {
      // Fast path: at the start of a record, a whole line without a quote is a record.
      if (p === start && this.#carryBytes === 0 && !this.#oversize && this.#state === FIELD_START) {
        const nl = chunk.indexOf(LF, p);
        if (nl === -1) {
          this.#recordLine = this.#line;
          break;
        }
        if (nextQuote !== -1 && nextQuote < p) nextQuote = chunk.indexOf(QUOTE, p);
        if (nextQuote === -1 || nextQuote > nl) {
          this.#recordLine = this.#line;
          if (nl - p > max + 1) out.push({ line: this.#line, problem: 'record_too_large' });
          else this.#emit(out, chunk.subarray(p, nl));
          this.#line++;
          p = nl + 1;
          start = p;
          continue;
        }
      }
      if (p === start && this.#carryBytes === 0 && !this.#oversize) this.#recordLine = this.#line;
      // Slow path: byte by byte through quoted fields, until the record ends or the chunk does.
      let ended = false;
      while (p < length) {
        const b = chunk[p] as number;
        const state = this.#state;
        if (state === QUOTED) {
          if (b === QUOTE) this.#state = QUOTED_QUOTE;
          else if (b === LF) this.#line++;
        } else if (b === LF) {
          ended = true;
          break;
        } else if (b === COMMA) {
          this.#state = FIELD_START;
        } else if (b === QUOTE && quotes && (state === FIELD_START || state === QUOTED_QUOTE)) {
          this.#state = QUOTED;
        } else {
          this.#state = UNQUOTED;
        }
        p++;
        if (!this.#oversize && this.#carryBytes + (p - start) > max + 1) {
          this.#oversize = true;
          this.#carry = [];
          this.#carryBytes = 0;
        }
      }
      if (!ended) break;
      this.#emit(out, this.#oversize ? Buffer.alloc(0) : chunk.subarray(start, p));
      this.#line++;
      p++;
      start = p;
    }
    if (start < length && !this.#oversize) {
      const rest = chunk.subarray(start);
      if (this.#carryBytes + rest.length > max + 1) {
        this.#oversize = true;
        this.#carry = [];
        this.#carryBytes = 0;
      } else {
        this.#carry.push(rest);
        this.#carryBytes += rest.length;
      }
    }
    // The fast path stopped at a line it had not finished: scan the remainder for quote state.
    if (p < length && p === start) this.#scanTail(chunk, p);
  }

  /** Updates the quote state over `chunk[from…]`, which holds no line ending outside quotes. */
  #scanTail(chunk: Buffer, from: number): void {
    for (let p = from; p < chunk.length; p++) {
      const b = chunk[p] as number;
      const state = this.#state;
      if (state === QUOTED) {
        if (b === QUOTE) this.#state = QUOTED_QUOTE;
        else if (b === LF) this.#line++;
      } else if (b === COMMA) {
        this.#state = FIELD_START;
      } else if (b === QUOTE && this.#quotes && (state === FIELD_START || state === QUOTED_QUOTE)) {
        this.#state = QUOTED;
      } else {
        this.#state = UNQUOTED;
      }
    }
  }

  /** Ends the input: the last record (without a final newline), or an unterminated quote. */
  end(out: SplitRecord[]): void {
    if (!this.#started && this.#head !== null) {
      const head = this.#head;
      this.#head = null;
      this.#started = true;
      const bom = head.length === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
      if (!bom) {
        this.#bytes -= head.length;
        this.push(head, out);
      }
    }
    if (this.#state === QUOTED) {
      out.push({ line: this.#recordLine, problem: 'unterminated_quote' });
    } else if (this.#carryBytes > 0 || this.#oversize) {
      this.#emit(out, Buffer.alloc(0));
    }
    this.#carry = [];
    this.#carryBytes = 0;
    this.#oversize = false;
    this.#state = FIELD_START;
  }
}
