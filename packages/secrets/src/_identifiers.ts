// The identifier rules every name that reaches a physical name, an environment variable or a
// binding obeys. They are narrow on purpose: each spelling maps to exactly one stored identity and
// one environment variable (see local-env-source.ts for why lowerCamelCase makes that mapping
// one-to-one), and nothing can smuggle a separator into the hash input.
import { InvalidInputError } from '@coffer/core';

/** Workspace, project and environment: lower case, digits, `.`, `_`, `-`; 1 to 128 characters. */
export const OWNER_FIELD: RegExp = /^[a-z0-9][a-z0-9._-]{0,127}$/;
/** Secret names and namespaces: lowerCamelCase ASCII, 1 to 64 characters. */
export const CAMEL_NAME: RegExp = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$/;
/** Consumer surfaces: lower case, digits and `-`, 1 to 32 characters. */
export const SURFACE: RegExp = /^[a-z][a-z0-9-]{0,31}$/;
const MAX_CAMEL = 64;

export function assertOwnerField(value: unknown, parameter: string): asserts value is string {
  if (typeof value !== 'string' || !OWNER_FIELD.test(value)) {
    throw new InvalidInputError(
      `${parameter} must be 1 to 128 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit`,
      { details: { parameter } },
    );
  }
}

export function assertCamelName(value: unknown, parameter: string): asserts value is string {
  if (typeof value !== 'string' || value.length > MAX_CAMEL || !CAMEL_NAME.test(value)) {
    throw new InvalidInputError(
      `${parameter} must be a lowerCamelCase name of 1 to ${MAX_CAMEL} ASCII letters and digits (e.g. stripeApiKey)`,
      { details: { parameter } },
    );
  }
}

export function assertSurface(value: unknown, parameter: string): asserts value is string {
  if (typeof value !== 'string' || !SURFACE.test(value)) {
    throw new InvalidInputError(
      `${parameter} must be 1 to 32 characters of a-z, 0-9 or '-', starting with a letter (e.g. api, worker)`,
      { details: { parameter } },
    );
  }
}
