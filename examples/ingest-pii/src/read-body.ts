// Reads a request body as raw bytes under a byte limit and decodes it once, as strict UTF-8. Chunks
// may split a multi-byte character anywhere, so text is never built chunk by chunk; the limit counts
// bytes on the wire, not JavaScript string units.
import type { Readable } from 'node:stream';
import { InvalidJsonError, PayloadTooLargeError } from './ingest-errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The body of `stream` as text.
 *
 * @throws {PayloadTooLargeError} when more than `limitBytes` arrive (or are announced by
 *   `declaredLength`, before anything is read); the stream is paused, not drained.
 * @throws {InvalidJsonError} when the bytes are not valid UTF-8.
 */
export function readBody(
  stream: Readable,
  limitBytes: number,
  declaredLength?: number,
): Promise<string> {
  if (declaredLength !== undefined && declaredLength > limitBytes) {
    return Promise.reject(new PayloadTooLargeError(limitBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      size += bytes.length;
      if (size > limitBytes) {
        done();
        stream.pause();
        reject(new PayloadTooLargeError(limitBytes));
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      done();
      try {
        resolve(utf8.decode(Buffer.concat(chunks, size)));
      } catch {
        reject(new InvalidJsonError());
      }
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
