// Node's file system with a switch: the next writeFile or rename fails once with EIO, as a full or
// broken disk would. (Tests run as root, so read-only permissions would not stop a write.)
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type JsonFileSystem, nodeFileSystem } from '../src/json-file.ts';

export interface FailingFs {
  readonly fs: JsonFileSystem;
  failNext(operation: 'writeFile' | 'rename'): void;
}

export function failingFs(): FailingFs {
  let failing: 'writeFile' | 'rename' | null = null;
  const trip = (operation: 'writeFile' | 'rename') => {
    if (failing !== operation) return;
    failing = null;
    throw Object.assign(new Error(`EIO: i/o error, ${operation}`), { code: 'EIO' });
  };
  return {
    fs: {
      readFile: nodeFileSystem.readFile,
      rm: nodeFileSystem.rm,
      writeFile: async (path, data, options) => {
        trip('writeFile');
        await nodeFileSystem.writeFile(path, data, options);
      },
      rename: async (from, to) => {
        trip('rename');
        await nodeFileSystem.rename(from, to);
      },
    },
    failNext(operation) {
      failing = operation;
    },
  };
}

/** The names in the directory of `file` (to see that no temporary file is left behind). */
export const siblings = (file: string): string[] => readdirSync(dirname(file)).sort();
