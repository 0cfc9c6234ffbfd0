// Reading a response body with a size cap and a deadline (internal). A provider (or something in
// between) that sends megabytes, or trickles bytes forever, costs at most `maxBytes` and the
// validator's timeout.

/** What reading gave: the text, or that the body was larger than the cap. */
export type CappedBody = { readonly text: string } | { readonly tooLarge: true };

/** Cancels a body without waiting and without letting its rejection escape. */
export function discardBody(response: unknown): void {
  try {
    const body = (response as { body?: { cancel?: () => Promise<void> } | null }).body;
    if (body !== null && body !== undefined && typeof body.cancel === 'function') {
      body.cancel().catch(() => undefined);
    }
  } catch {
    // Nothing to discard.
  }
}

/**
 * Reads `response.body` up to `maxBytes`. `aborted` rejects when the deadline passes; the read
 * stops there (the stream is cancelled) even if the stream itself ignores the abort signal.
 */
export async function readCapped(
  response: unknown,
  maxBytes: number,
  aborted: Promise<never>,
): Promise<CappedBody> {
  const body = (response as { body?: unknown }).body;
  if (body === null || body === undefined) return { text: '' };
  if (typeof (body as { getReader?: unknown }).getReader !== 'function') return { tooLarge: true };
  const reader = (body as ReadableStream<unknown>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      if (!(value instanceof Uint8Array)) return { tooLarge: true };
      size += value.length;
      if (size > maxBytes) return { tooLarge: true };
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return { text: new TextDecoder('utf-8').decode(all) };
}
