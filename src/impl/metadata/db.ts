import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type DB = Database.Database;

/** How long a write waits for another process's lock before it fails (the CLI's busy timeout). */
const LONG_WAIT_MS = 60_000;

/** Databases opened with a short busy timeout (the API service's), and that timeout. */
const shortWaits = new WeakMap<DB, number>();
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

/**
 * Another root's state database, for a look only: no migrations, no waiting (`timeout: 0`), and
 * the addon found as `openDatabase` finds it (the bundled CLI has no `bindings` search path).
 */
export function openForeignDatabase(path: string): DB {
  const binding = nativeBinding();
  return new Database(path, { readonly: true, fileMustExist: true, timeout: 0, ...(binding ? { nativeBinding: binding } : {}) });
}

/**
 * Opens the state database: WAL so readers never block the writer, foreign keys on, and every
 * pending migration applied (each in its own IMMEDIATE transaction, so two processes opening a
 * new root at once cannot both apply a step).
 *
 * better-sqlite3 is synchronous: a write waiting for another process's lock (a CLI, conmon's
 * cleanup) sleeps inside SQLite for up to the busy timeout, with the event loop stopped. The CLI
 * can afford a long timeout (60 s). The API service opens with `busyTimeoutMs` small: its
 * `writeTxAsync` call sites retry with backoff on timers, and the remaining synchronous
 * `writeTx` sites fall back to the long wait only after the short one failed.
 */
export function openDatabase(path: string, opts: { busyTimeoutMs?: number } = {}): DB {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const binding = nativeBinding();
  const db = new Database(path, { timeout: LONG_WAIT_MS, ...(binding ? { nativeBinding: binding } : {}) });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  if (opts.busyTimeoutMs !== undefined) {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs}`);
    shortWaits.set(db, opts.busyTimeoutMs);
    patientStatements(db);
  }
  return db;
}

/** Runs `fn` with the CLI's long busy timeout, then puts the short one back. */
function withLongWait<T>(db: DB, short: number, fn: () => T): T {
  db.pragma(`busy_timeout = ${LONG_WAIT_MS}`);
  try {
    return fn();
  } finally {
    db.pragma(`busy_timeout = ${short}`);
  }
}

/**
 * Statements run outside a transaction (autocommit writes such as a lease's MAC, rare reads
 * during another process's WAL recovery) get the long wait after the short one failed, as
 * `writeTx` does, so the short timeout never turns contention into an error. Inside a
 * transaction the lock is already held and the error is SQLite's own. The service keeps each
 * prepared statement for its SQL text: compiling the same statements again on every request
 * was measurable main-thread time under load (no caller switches a statement to pluck, raw or
 * iterate, which would make a shared one unsafe).
 */
function patientStatements(db: DB): void {
  const short = shortWaits.get(db)!;
  const prepare = db.prepare.bind(db);
  const prepared = new Map<string, ReturnType<typeof prepare>>();
  const patched = (sql: string) => {
    const known = prepared.get(sql);
    if (known) return known;
    const st = prepare(sql);
    for (const m of ['run', 'get', 'all'] as const) {
      const call = (st[m] as (...a: unknown[]) => unknown).bind(st);
      (st as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => {
        try {
          return call(...args);
        } catch (e) {
          if (!isBusy(e) || db.inTransaction) throw e;
          return withLongWait(db, short, () => call(...args));
        }
      };
    }
    prepared.set(sql, st);
    return st;
  };
  db.prepare = patched as typeof db.prepare;
}

function isBusy(e: unknown): boolean {
  return typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('SQLITE_BUSY');
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

/**
 * Runs `fn` in a write transaction taken up front (BEGIN IMMEDIATE), so it never upgrades a read
 * lock mid-way. On a database with a short busy timeout, a lock still held when it ran out is
 * waited for as the CLI does (the loop stops): use `writeTxAsync` where the caller can await.
 */
export function writeTx<T>(db: DB, fn: () => T): T {
  try {
    return db.transaction(fn).immediate();
  } catch (e) {
    const short = shortWaits.get(db);
    if (short === undefined || !isBusy(e)) throw e;
    return withLongWait(db, short, () => db.transaction(fn).immediate());
  }
}

/**
 * `writeTx` whose waits for another process's lock happen on timers: each attempt waits at most
 * the short busy timeout inside SQLite (BEGIN IMMEDIATE fails before `fn` runs, so retrying is
 * safe), then backs off 2, 4 … 100 ms, up to the CLI's 60 s in all.
 */
export async function writeTxAsync<T>(db: DB, fn: () => T): Promise<T> {
  const deadline = Date.now() + LONG_WAIT_MS;
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    try {
      return db.transaction(fn).immediate();
    } catch (e) {
      if (!isBusy(e) || Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
  }
}
