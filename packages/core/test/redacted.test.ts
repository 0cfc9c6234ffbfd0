import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CofferError, Redacted, redact } from '../src/index.js';

const SECRET = 'EAAG-secret-token-0123456789';

describe('Redacted', () => {
  it('hides the value on every printing path (TSDoc example)', () => {
    const token = new Redacted(SECRET);
    expect(`${token}`).toBe('[REDACTED]');
    expect(String(token)).toBe('[REDACTED]');
    expect(`${token}`).toBe('[REDACTED]');
    expect(`x${token as unknown as string}y`).toBe('x[REDACTED]y');
    expect(JSON.stringify({ token })).toBe('{"token":"[REDACTED]"}');
    expect(JSON.stringify([token])).toBe('["[REDACTED]"]');
    expect(inspect(token)).toBe('[REDACTED]');
    expect(inspect({ nested: { deep: [token] } }, { depth: 10 })).not.toContain(SECRET);
    expect(inspect(token, { showHidden: true, depth: Number.POSITIVE_INFINITY })).not.toContain(
      SECRET,
    );
    expect(format('%s %o %O %j', token, token, token, token)).not.toContain(SECRET);
    expect(token.expose()).toBe(SECRET);
  });

  it('console.log prints [REDACTED]', () => {
    // A real Console writing to our own stream (vitest replaces the global console).
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const logger = new Console({ stdout: stream, stderr: stream });
    logger.log(redact(SECRET), { token: redact(SECRET) });
    logger.info('%s', redact(SECRET));
    logger.error(new Map([['k', redact(SECRET)]]));
    logger.table([{ token: redact(SECRET) }]);
    expect(chunks.join('')).not.toContain(SECRET);
    expect(chunks.join('')).toContain('[REDACTED]');
  });

  it('structured (JSON-line) logging shows [REDACTED]', () => {
    const record = {
      level: 30,
      msg: 'stored token',
      token: redact(SECRET),
      ctx: { k: redact(SECRET) },
    };
    const line = JSON.stringify(record);
    expect(line).not.toContain(SECRET);
    expect(JSON.parse(line)).toEqual({
      level: 30,
      msg: 'stored token',
      token: '[REDACTED]',
      ctx: { k: '[REDACTED]' },
    });
  });

  it('has nothing enumerable to copy, spread or clone', () => {
    const token = redact(SECRET);
    expect(Object.keys(token)).toEqual([]);
    expect(Object.getOwnPropertyNames(token)).toEqual([]);
    expect(JSON.stringify({ ...token })).toBe('{}');
    expect(JSON.stringify(Object.assign({}, token))).toBe('{}');
    expect(JSON.stringify(structuredClone(token))).not.toContain(SECRET);
    expect(Object.prototype.toString.call(token)).toBe('[object Redacted]');
    expect(Object.isFrozen(token)).toBe(true);
  });

  it('is not leaked through an error message, cause or details that hold it', () => {
    const err = new CofferError('X', `failed for ${redact(SECRET)}`, {
      details: { token: redact(SECRET) },
      cause: redact(SECRET),
    });
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err)).not.toContain(SECRET);
    expect(inspect(err, { depth: 10 })).not.toContain(SECRET);
  });

  it('wraps bytes and other values too', () => {
    const key = redact(new Uint8Array([1, 2, 3]));
    expect(inspect(key)).toBe('[REDACTED]');
    expect(key.expose()).toEqual(new Uint8Array([1, 2, 3]));
    expect(`${redact(12345)}`).toBe('[REDACTED]');
    expect(`${redact({ a: SECRET })}`).toBe('[REDACTED]');
  });

  it('isRedacted recognises instances only', () => {
    expect(Redacted.isRedacted(redact('x'))).toBe(true);
    expect(Redacted.isRedacted({ expose: () => 'x' })).toBe(false);
    expect(Redacted.isRedacted('[REDACTED]')).toBe(false);
    expect(Redacted.isRedacted(null)).toBe(false);
  });
});

describe('Redacted in a real structured logger (pino)', () => {
  it('pino writes [REDACTED] for fields, nested objects and interpolation', async () => {
    const { default: pino } = await import('pino');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    logger.info({ token: redact(SECRET), nested: { deep: [redact(SECRET)] } }, 'stored token');
    logger.info('interpolated %s and %o', redact(SECRET), redact(SECRET));
    logger.child({ bound: redact(SECRET) }).warn('child logger');
    const output = lines.join('');
    expect(lines).toHaveLength(3);
    expect(output).not.toContain(SECRET);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      msg: 'stored token',
      token: '[REDACTED]',
      nested: { deep: ['[REDACTED]'] },
    });
    expect(JSON.parse(lines[2] ?? '{}')).toMatchObject({ bound: '[REDACTED]' });
  });
});
