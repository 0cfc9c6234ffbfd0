// Every refusal and failure answers in one envelope: { "error": { code, message, requestId, details } }.
// A CofferError keeps its code, message and details (they never hold personal data); anything else —
// a driver error, a bug — becomes a 500 INTERNAL with a generic message, so nothing internal leaks.
import { isCofferError } from '@coffer/core';

export interface ErrorEnvelope {
  readonly status: number;
  readonly body: {
    readonly error: {
      readonly code: string;
      readonly message: string;
      readonly requestId: string;
      readonly details: Readonly<Record<string, unknown>>;
    };
  };
}

export function errorEnvelope(error: unknown, requestId: string): ErrorEnvelope {
  if (isCofferError(error) && error.status !== undefined && error.status < 500) {
    return {
      status: error.status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          requestId,
          details: { ...(error.details ?? {}) },
        },
      },
    };
  }
  return {
    status: 500,
    body: {
      error: {
        code: 'INTERNAL',
        message: 'The event could not be processed; it was not stored. Retry later.',
        requestId,
        details: {},
      },
    },
  };
}
