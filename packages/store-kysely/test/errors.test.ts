import { isCofferError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import { MigrationError, StoreBusyError } from '../src/index.js';

describe('StoreBusyError', () => {
  it('runs its documented example', () => {
    const err = new StoreBusyError({ dialect: 'sqlite', attempts: 12, waitedMs: 5003 });
    expect(err.code).toBe('STORE_BUSY');
    expect(err.retryable).toBe(true);
    expect(err.status).toBe(503);
    expect(err.details).toEqual({ dialect: 'sqlite', attempts: 12, waitedMs: 5003 });
    expect(isCofferError(err, 'STORE_BUSY')).toBe(true);
    expect(err.message).toMatch(/busyRetryMs/);
  });

  it('keeps the driver error as cause but out of JSON', () => {
    const cause = new Error('driver-detail-xyz');
    const err = new StoreBusyError({ dialect: 'sqlite', attempts: 1, waitedMs: 0 }, cause);
    expect(err.cause).toBe(cause);
    expect(JSON.stringify(err)).not.toContain('driver-detail-xyz');
  });
});

describe('MigrationError', () => {
  it('runs its documented example', () => {
    const err = new MigrationError('001_init', 'coffer_migration');
    expect(err.code).toBe('MIGRATION_FAILED');
    expect(err.details).toEqual({ migration: '001_init', migrationTable: 'coffer_migration' });
  });

  it('says when the run failed before any migration', () => {
    const err = new MigrationError(undefined, 'coffer_migration');
    expect(err.details).toEqual({ migrationTable: 'coffer_migration' });
    expect(err.message).toMatch(/before any migration/);
    expect(err.status).toBe(500);
  });
});
