// One CSV record (RFC 4180) as text: split into fields, or formatted from fields. Separator `,`,
// quote `"`, `""` for a quote inside a quoted field.

/**
 * The fields of one record, or `'stray_quote'` when a quote stands where RFC 4180 allows none
 * (inside an unquoted field, or text after a closing quote).
 */
export function parseCsvRecord(text: string): string[] | 'stray_quote' {
  if (!text.includes('"')) return text.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 0x22) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) return 'stray_quote'; // unterminated: the splitter reports it first
        if (text.charCodeAt(q + 1) === 0x22) {
          value += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text.charCodeAt(i) !== 0x2c) return 'stray_quote';
      i++;
      continue;
    }
    const comma = text.indexOf(',', i);
    const end = comma === -1 ? text.length : comma;
    const value = text.slice(i, end);
    if (value.includes('"')) return 'stray_quote';
    fields.push(value);
    if (comma === -1) return fields;
    i = comma + 1;
  }
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One field as CSV: quoted when it holds a separator, a quote or a line break. */
export function formatCsvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * One record as a CSV line (without the line ending). A record of one empty field is written
 * `""`, so it does not read back as a blank line.
 */
export function formatCsvRecord(fields: readonly string[]): string {
  if (fields.length === 1 && fields[0] === '') return '""';
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += ',';
    line += formatCsvField(fields[i] as string);
  }
  return line;
}
