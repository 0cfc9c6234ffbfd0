// Regenerates the national-number columns of src/calling-code-table.ts from libphonenumber's
// metadata (Apache-2.0), as packaged by libphonenumber-js. Not a dependency of the package: install
// it in a scratch directory and pass that directory, e.g.
//
//   npm install --prefix /tmp/lpn libphonenumber-js@1.13.16
//   node packages/pii/scripts/numbering-plans.mjs /tmp/lpn > /tmp/rows.txt
//
// then paste the printed rows into the table. For each country it prints the calling code and the
// trunk prefixes already in the table (curated by hand, see the table's header), the national
// significant number lengths by first digit, and the international (IDD) prefix pattern when it is
// not "00". Lengths by first digit are computed exactly from the country's general national number
// pattern (the union of every number type) intersected with its possible lengths: the patterns use
// only digits, \d, [classes], (?:groups), |, ?, {n} and {n,m}, so the analysis below is complete.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const MAX = 20;
const EMPTY = 1 << 10;

const at = (length, mask) => {
  const a = new Array(MAX + 1).fill(0);
  a[length] = mask;
  return a;
};
const union = (a, b) => a.map((x, k) => x | b[k]);
function concat(a, b) {
  const out = new Array(MAX + 1).fill(0);
  for (let la = 0; la <= MAX; la++) {
    if (a[la] === 0) continue;
    for (let lb = 0; la + lb <= MAX; lb++) {
      if (b[lb] !== 0) out[la + lb] |= la === 0 ? b[lb] : a[la];
    }
  }
  return out;
}

/** For each length, the bit set of first digits of the strings `pattern` matches. */
function analyse(pattern) {
  let i = 0;
  const fail = (what) => {
    throw new Error(`${what} at ${i} in ${pattern}`);
  };
  function alternatives() {
    let result = sequence();
    while (pattern[i] === '|') {
      i++;
      result = union(result, sequence());
    }
    return result;
  }
  function sequence() {
    let result = at(0, EMPTY);
    while (i < pattern.length && pattern[i] !== '|' && pattern[i] !== ')') {
      result = concat(result, quantified());
    }
    return result;
  }
  function quantified() {
    const a = atom();
    if (pattern[i] === '?') {
      i++;
      return union(a, at(0, EMPTY));
    }
    if (pattern[i] !== '{') return a;
    const close = pattern.indexOf('}', i);
    const [low, high = low] = pattern
      .slice(i + 1, close)
      .split(',')
      .map(Number);
    i = close + 1;
    let repeated = at(0, EMPTY);
    for (let k = 0; k < low; k++) repeated = concat(repeated, a);
    let result = repeated;
    for (let k = low; k < high; k++) {
      repeated = concat(repeated, a);
      result = union(result, repeated);
    }
    return result;
  }
  function atom() {
    const c = pattern[i];
    if (c === '(') {
      if (pattern.slice(i, i + 3) !== '(?:') fail('capturing group');
      i += 3;
      const inner = alternatives();
      if (pattern[i] !== ')') fail('unclosed group');
      i++;
      return inner;
    }
    if (c === '\\') {
      if (pattern[i + 1] !== 'd') fail('escape');
      i += 2;
      return at(1, 0x3ff);
    }
    if (c === '[') {
      const close = pattern.indexOf(']', i);
      const body = pattern.slice(i + 1, close);
      i = close + 1;
      let mask = 0;
      for (let k = 0; k < body.length; k++) {
        if (body.slice(k, k + 2) === '\\d') {
          mask |= 0x3ff;
          k++;
        } else if (body[k + 1] === '-') {
          for (let d = Number(body[k]); d <= Number(body[k + 2]); d++) mask |= 1 << d;
          k += 2;
        } else mask |= 1 << Number(body[k]);
      }
      return at(1, mask);
    }
    if (c !== undefined && c >= '0' && c <= '9') {
      i++;
      return at(1, 1 << Number(c));
    }
    return fail(`unexpected ${c}`);
  }
  const result = alternatives();
  if (i !== pattern.length) fail('trailing text');
  return result;
}

function ranges(mask) {
  const out = [];
  for (let n = 0; n <= MAX; n++) {
    if ((mask & (1 << n)) === 0) continue;
    let m = n;
    while (mask & (1 << (m + 1))) m++;
    out.push(m === n ? `${n}` : m === n + 1 ? `${n},${m}` : `${n}-${m}`);
    n = m;
  }
  return out.join(',');
}

/** "1:9,10 23579:10 8:7,9,10": first digits that share a set of lengths, then those lengths. */
function lengthsByFirstDigit(pattern, possible) {
  const byLength = analyse(pattern);
  const byDigit = new Array(10).fill(0);
  for (const length of possible) {
    for (let d = 0; d < 10; d++) if (byLength[length] & (1 << d)) byDigit[d] |= 1 << length;
  }
  const groups = new Map();
  for (let d = 0; d < 10; d++) {
    if (byDigit[d] !== 0) groups.set(byDigit[d], `${groups.get(byDigit[d]) ?? ''}${d}`);
  }
  return [...groups].map(([mask, digits]) => `${digits}:${ranges(mask)}`).join(' ');
}

const scratch = process.argv[2];
if (scratch === undefined)
  throw new Error('usage: numbering-plans.mjs <dir with libphonenumber-js>');
const metadata = createRequire(join(scratch, 'x.js'))('libphonenumber-js/metadata.max.json');
const table = readFileSync(new URL('../src/calling-code-table.ts', import.meta.url), 'utf8');
for (const [, country, code, trunks] of table.matchAll(
  /^ {2}([a-z]{2}): \['(\d+)', '([\d|]*)'/gm,
)) {
  const [lpnCode, idd, pattern, possible] = metadata.countries[country.toUpperCase()];
  if (lpnCode !== code) throw new Error(`${country}: calling code ${lpnCode} in libphonenumber`);
  const lengths = lengthsByFirstDigit(pattern, possible);
  const extra = idd === '00' ? '' : `, '${idd.replaceAll('\\', '\\\\')}'`;
  console.log(`  ${country}: ['${code}', '${trunks}', '${lengths}'${extra}],`);
}
for (const [code, [, , pattern, possible]] of Object.entries(metadata.nonGeographic)) {
  console.log(`  '${code}': '${lengthsByFirstDigit(pattern, possible)}',`);
}
