// The parts of Bun's and Deno's own SQLite modules the extras use (the repository's type-check runs
// on Node's types, which have neither).
declare module 'bun:sqlite' {
  export interface Statement {
    readonly columnNames: string[];
    all(...parameters: unknown[]): unknown[];
    run(...parameters: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  }
  export class Database {
    constructor(filename: string);
    prepare(sql: string): Statement;
    close(): void;
  }
}

declare module 'node:sqlite' {
  export interface StatementSync {
    columns(): unknown[];
    all(...parameters: unknown[]): unknown[];
    run(...parameters: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  }
  export class DatabaseSync {
    constructor(filename: string);
    prepare(sql: string): StatementSync;
    close(): void;
  }
}
