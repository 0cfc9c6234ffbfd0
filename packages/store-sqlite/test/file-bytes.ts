// Everything an attacker copying the database directory gets: the database file, its WAL and
// its shared-memory index, concatenated.
import { existsSync, readFileSync } from 'node:fs';

export function databaseFileBytes(filename: string): Uint8Array {
  const parts = [filename, `${filename}-wal`, `${filename}-shm`]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f));
  return new Uint8Array(Buffer.concat(parts));
}
