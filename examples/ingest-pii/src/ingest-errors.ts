// The ingest example's own errors: CofferError subclasses with stable codes and an HTTP status.
// Messages say what was wrong and never echo the request's values (they may be personal data).
import { CofferError } from '@coffer/core';

/** Nothing answers at this method and path. Code `NOT_FOUND`, status 404. */
export class RouteNotFoundError extends CofferError {
  constructor() {
    super('NOT_FOUND', 'Nothing here: send events with POST /events.', { status: 404 });
  }
}

/** The body is larger than the limit, in bytes. Code `PAYLOAD_TOO_LARGE`, status 413. */
export class PayloadTooLargeError extends CofferError {
  constructor(limitBytes: number) {
    super('PAYLOAD_TOO_LARGE', `The request body is larger than ${limitBytes} bytes.`, {
      status: 413,
      details: { limitBytes },
    });
  }
}

/** The body is not UTF-8 JSON. Code `INVALID_JSON`, status 400. */
export class InvalidJsonError extends CofferError {
  constructor() {
    super('INVALID_JSON', 'The request body must be a UTF-8 JSON object.', { status: 400 });
  }
}

/** The JSON is not an event: not an object, or no string `name`. Code `INVALID_EVENT`, status 400. */
export class InvalidEventError extends CofferError {
  constructor(field: string) {
    super(
      'INVALID_EVENT',
      'The event must be an object with a string "name" and an optional object "user" of strings.',
      { status: 400, details: { field } },
    );
  }
}

/**
 * PostgreSQL could not be reached or refused the connection. Code `DB_UNAVAILABLE`, status 503.
 * The message names the server (never a password) and what to do.
 */
export class DatabaseUnavailableError extends CofferError {
  constructor(where: string, reason: string, cause: unknown) {
    super(
      'DB_UNAVAILABLE',
      `Could not use PostgreSQL at ${where} (${reason}). Start PostgreSQL there, or set DATABASE_URL to one that answers.`,
      { status: 503, retryable: true, details: { where, reason }, cause },
    );
  }
}
