// Request ids for error envelopes: the caller's X-Request-Id when it is a sane token, else a new one.
import type { IncomingHttpHeaders } from 'node:http';
import { randomBytes, toBase32Crockford } from '@coffer/core';

const INCOMING = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(headers: IncomingHttpHeaders): string {
  const incoming = headers['x-request-id'];
  if (typeof incoming === 'string' && INCOMING.test(incoming)) return incoming;
  return `req_${toBase32Crockford(randomBytes(10)).toLowerCase()}`;
}
