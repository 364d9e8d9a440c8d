import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type DB = Database.Database;

/**
 * Opens the state database: WAL so readers never block the writer, a long busy timeout
 * because many `skiff` processes may write at once, foreign keys on, and every pending
 * migration applied (each in its own IMMEDIATE transaction, so two processes opening a new
 * root at once cannot both apply a step).
 */
/**
 * The addon's path, given to better-sqlite3 directly: its default lookup through the `bindings`
 * package tries a dozen paths and costs milliseconds on every CLI start.
 */
function nativeBinding(): string | undefined {
  try {
    const req = typeof require === 'function' ? require : createRequire(import.meta.url);
    const file = join(dirname(req.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    return file;
  } catch {
    return undefined;
  }
}

export function openDatabase(path: string): DB {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const binding = nativeBinding();
  const db = new Database(path, { timeout: 60_000, ...(binding ? { nativeBinding: binding } : {}) });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: DB): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current >= MIGRATIONS.length) return;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now > v) return;
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/** Runs `fn` in a write transaction taken up front (BEGIN IMMEDIATE), so it never upgrades a read lock mid-way. */
export function writeTx<T>(db: DB, fn: () => T): T {
  return db.transaction(fn).immediate();
}
