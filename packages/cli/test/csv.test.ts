// The streaming CSV / NDJSON reader: RFC 4180 round trips over random chunkings (property tests),
// line numbers, and a table of hostile input — unterminated and stray quotes, invalid UTF-8,
// records over the size limit, byte order marks and line endings split across chunks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCsvRecord, parseCsvRecord } from '../src/csv/csv-record.ts';
import { type InputRecord, readInputRecords } from '../src/csv/input-records.ts';
import { RecordSplitter, type SplitRecord } from '../src/csv/record-splitter.ts';

/** Field text rich in what CSV must escape, plus any Unicode scalar value. */
const fieldText = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(',', '"', '\n', '\r', '\r\n', ' ', 'a', 'é') },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 12,
});
const record = fc.array(fieldText, { minLength: 1, maxLength: 6 });

/** Cuts `bytes` at the given fractions (sorted, deduplicated). */
function cut(bytes: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => Math.floor(p * bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of at) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

function split(chunks: Buffer[], options: { quotes?: boolean; max?: number } = {}): SplitRecord[] {
  const splitter = new RecordSplitter({
    quotes: options.quotes ?? true,
    maxRecordBytes: options.max ?? 1024 * 1024,
  });
  const out: SplitRecord[] = [];
  for (const chunk of chunks) splitter.push(chunk, out);
  splitter.end(out);
  return out;
}

async function read(
  chunks: (string | Buffer)[],
  format: 'csv' | 'ndjson' = 'csv',
  maxRecordBytes = 1024 * 1024,
): Promise<InputRecord[]> {
  async function* source() {
    for (const c of chunks) yield typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
  }
  const out: InputRecord[] = [];
  for await (const batch of readInputRecords(source(), { format, maxRecordBytes }))
    out.push(...batch);
  return out;
}

const countLines = (text: string) => text.split('\n').length - 1;

describe('CSV round trip (property)', () => {
  it('records written by formatCsvRecord read back equal, over any chunking, with their start lines', () => {
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
        (records, eol, bom, trailing, points) => {
          const lines = records.map(formatCsvRecord);
          const text = lines.join(eol) + (trailing ? eol : '');
          const bytes = Buffer.concat([
            bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
            Buffer.from(text, 'utf8'),
          ]);
          const got = split(cut(bytes, points));
          expect(got.map((r) => r.problem)).toEqual(records.map(() => undefined));
          expect(got.map((r) => parseCsvRecord(r.bytes?.toString('utf8') ?? ''))).toEqual(records);
          let line = 1;
          const starts = lines.map((l) => {
            const at = line;
            line += countLines(l) + 1;
            return at;
          });
          expect(got.map((r) => r.line)).toEqual(starts);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parseCsvRecord never throws, and what it parses formats back to the same fields', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(',', '"', 'a', ' ', '\r'), maxLength: 30 }),
        (text) => {
          const fields = parseCsvRecord(text);
          if (fields !== 'stray_quote')
            expect(parseCsvRecord(formatCsvRecord(fields))).toEqual(fields);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a record over the limit is reported (once, at its line) and the others survive, over any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ big: fc.boolean(), quoted: fc.boolean() }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        (rows, points) => {
          const lines = rows.map(({ big, quoted }, i) => {
            const body = big ? 'x'.repeat(40) : `r${i}`;
            return quoted ? `"${body}\n${body}",${i}` : `${body},${i}`;
          });
          const got = split(cut(Buffer.from(lines.join('\n'), 'utf8'), points), { max: 30 });
          let line = 1;
          const expected = rows.map(({ big, quoted }, i) => {
            const at = line;
            line += quoted ? 2 : 1;
            return big ? { line: at, problem: 'record_too_large' } : { line: at, text: lines[i] };
          });
          expect(
            got.map((r) =>
              r.problem === undefined
                ? { line: r.line, text: r.bytes.toString('utf8') }
                : { line: r.line, problem: r.problem },
            ),
          ).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('hostile input', () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(
      parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))),
    );

  it.each([
    [
      'an unterminated quote at the end',
      ['a,b\n1,2\n"x,y\nz'],
      [
        { line: 2, kind: 'csv', fields: ['1', '2'] },
        { line: 3, kind: 'bad', reason: 'unterminated_quote' },
      ],
    ],
    [
      'a quote inside an unquoted field',
      ['a,b\nx"y,1\n2,3'],
      [
        { line: 2, kind: 'bad', reason: 'stray_quote' },
        { line: 3, kind: 'csv', fields: ['2', '3'] },
      ],
    ],
    [
      'text after a closing quote',
      ['a,b\n"x"y,1\n2,3'],
      [
        { line: 2, kind: 'bad', reason: 'stray_quote' },
        { line: 3, kind: 'csv', fields: ['2', '3'] },
      ],
    ],
    [
      'blank lines (skipped, but counted)',
      ['a,b\n\n\r\n1,2\n'],
      [{ line: 4, kind: 'csv', fields: ['1', '2'] }],
    ],
    [
      'a lone CR inside a field',
      ['a,b\nx\ry,1\n'],
      [{ line: 2, kind: 'csv', fields: ['x\ry', '1'] }],
    ],
    [
      'CRLF split across chunks',
      ['a,b\r', '\n1,2\r', '\n'],
      [{ line: 2, kind: 'csv', fields: ['1', '2'] }],
    ],
    [
      'a quoted newline split across chunks',
      ['a,b\n"x', '\ny",1\n3,4'],
      [
        { line: 2, kind: 'csv', fields: ['x\ny', '1'] },
        { line: 4, kind: 'csv', fields: ['3', '4'] },
      ],
    ],
    [
      'a BOM split over three chunks',
      [Buffer.from([0xef]), Buffer.from([0xbb]), Buffer.from([0xbf, 0x61, 0x0a])],
      [],
    ],
    ['a BOM-only file', [Buffer.from([0xef, 0xbb, 0xbf])], []],
    ['a two-byte file without a BOM', ['a\n'], []],
  ] as const)('%s', async (_name, chunks, expectedRows) => {
    const got = await read([...chunks]);
    expect(got.slice(1)).toEqual(expectedRows);
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an invalid lead byte', [0xff, 0xfe]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate half', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
  ])('invalid UTF-8 (%s) is one bad row, the next row reads', async (_name, invalid) => {
    const got = await read([bytes('a,b\n1,', invalid, '\n2,3\n')]);
    expect(got.slice(1)).toEqual([
      { line: 2, kind: 'bad', reason: 'invalid_utf8' },
      { line: 3, kind: 'csv', fields: ['2', '3'] },
    ]);
  });

  it('a multi-byte character split between chunks reads whole', async () => {
    const text = Buffer.from('a,b\n€,😀\n', 'utf8');
    for (let at = 4; at < text.length; at++) {
      const got = await read([text.subarray(0, at), text.subarray(at)]);
      expect(got[1]).toEqual({ line: 2, kind: 'csv', fields: ['€', '😀'] });
    }
  });

  it('a 10 MB field is one record_too_large row, read in 64 KiB chunks, and the next row reads', async () => {
    const field = Buffer.alloc(10 * 1024 * 1024, 0x41);
    const data = Buffer.concat([bytes('a,b\n1,"'), field, bytes('"\n2,3\n')]);
    const chunks: Buffer[] = [];
    for (let at = 0; at < data.length; at += 65536) chunks.push(data.subarray(at, at + 65536));
    const got = await read(chunks);
    expect(got.slice(1)).toEqual([
      { line: 2, kind: 'bad', reason: 'record_too_large' },
      { line: 3, kind: 'csv', fields: ['2', '3'] },
    ]);
  });

  it('NDJSON: objects pass; malformed JSON, non-objects and over-long lines are bad rows', async () => {
    const got = await read(
      ['{"email":"a@b.c"}\n{"email":\n[1,2]\nnull\n', `{"x":"${'y'.repeat(50)}"}\n`, '{"ok":1}'],
      'ndjson',
      40,
    );
    expect(got).toEqual([
      { line: 1, kind: 'json', object: { email: 'a@b.c' } },
      { line: 2, kind: 'bad', reason: 'invalid_json' },
      { line: 3, kind: 'bad', reason: 'not_an_object' },
      { line: 4, kind: 'bad', reason: 'not_an_object' },
      { line: 5, kind: 'bad', reason: 'record_too_large' },
      { line: 6, kind: 'json', object: { ok: 1 } },
    ]);
  });
});
