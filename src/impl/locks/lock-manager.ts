/**
 * @module impl/locks/lock-manager
 * One lock per object (container, volume, network, ingest, build), each an flock(2) on
 * `<runroot>/locks/<kind>-<name>.lock`. The kernel releases a dead holder's lock at once, so no
 * lock ever needs taking over. Waiting never blocks the event loop: a busy lock is asked
 * again after a growing pause, up to a deadline, then the verb fails naming what is busy.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { unavailable } from '../../core/errdefs.js';
import { openLockFile, tryFlock, unlockAndClose, heldFileCurrent } from '../../sys/flock.js';

export type LockKind = 'container' | 'volume' | 'network' | 'ingest' | 'build' | 'lease' | 'pod';

export interface HeldLock {
  readonly key: string;
  /** Releases the lock; with `unlink`, also removes the file (the object is gone). */
  release(opts?: { unlink?: boolean }): void;
}

export interface LockOptions {
  /** How long to wait for another holder; 0 fails at once. */
  timeoutMs?: number;
  /** What the busy error names ("container abc123"). */
  what?: string;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 120_000;

/** Lock names stay one path component whatever the object's name. */
function fileName(kind: LockKind, name: string): string {
  return `${kind}-${encodeURIComponent(name).replace(/^\.+/, (d) => '%2E'.repeat(d.length))}.lock`;
}

export class LockManager {
  /** Keys held by the current async call chain: a verb calling another verb on the same object does not wait for itself. */
  private readonly held = new AsyncLocalStorage<ReadonlyMap<string, { gone: boolean }>>();

  constructor(readonly dir: string) {}

  path(kind: LockKind, name: string): string {
    return join(this.dir, fileName(kind, name));
  }

  /** The lock if it is free now, else undefined. */
  tryLock(kind: LockKind, name: string): HeldLock | undefined {
    const path = this.path(kind, name);
    for (;;) {
      const fd = openLockFile(path);
      let ok = false;
      try {
        ok = tryFlock(fd);
      } catch (e) {
        unlockAndClose(fd);
        throw e;
      }
      if (!ok) {
        unlockAndClose(fd);
        return undefined;
      }
      // The holder before us may have removed the file (its object is gone) after we opened
      // it: a lock on an unlinked file excludes nobody, so take the one now at that path.
      if (!heldFileCurrent(fd, path)) {
        unlockAndClose(fd);
        continue;
      }
      let released = false;
      return {
        key: `${kind}/${name}`,
        release: (opts = {}) => {
          if (released) return;
          released = true;
          if (opts.unlink) rmSync(path, { force: true });
          unlockAndClose(fd);
        },
      };
    }
  }

  /** Waits (without blocking the event loop) until the lock is free, up to `timeoutMs`. */
  async lock(kind: LockKind, name: string, opts: LockOptions = {}): Promise<HeldLock> {
    const timeout = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const deadline = Date.now() + timeout;
    for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
      const l = this.tryLock(kind, name);
      if (l) return l;
      if (Date.now() >= deadline) {
        const what = opts.what ?? `${kind} ${name}`;
        throw unavailable(
          timeout > 0
            ? `${what} is busy: another skiff process has held its lock for ${Math.round(timeout / 1000)}s`
            : `${what} is busy: another skiff process holds its lock`,
        );
      }
      await delay(Math.min(pause, Math.max(1, deadline - Date.now())));
    }
  }

  /** Runs `fn` holding the lock; a call nested inside another holding the same lock runs at once. */
  async with<T>(kind: LockKind, name: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
    const key = `${kind}/${name}`;
    const outer = this.held.getStore();
    if (outer?.has(key)) return fn();
    const l = await this.lock(kind, name, opts);
    const mine = { gone: false };
    try {
      return await this.held.run(new Map([...(outer ?? []), [key, mine]]), fn);
    } finally {
      l.release({ unlink: mine.gone });
    }
  }

  /** Whether the current async call chain holds this lock (a tryLock from it would fail on our own flock). */
  heldHere(kind: LockKind, name: string): boolean {
    return !!this.held.getStore()?.has(`${kind}/${name}`);
  }

  /** The object this call chain holds the lock of is gone: its lock file goes with the lock. */
  markGone(kind: LockKind, name: string): void {
    const h = this.held.getStore()?.get(`${kind}/${name}`);
    if (h) h.gone = true;
  }

  /** Whether this call chain holds the lock (a helper that needs it can insist on it). */
  holds(kind: LockKind, name: string): boolean {
    return !!this.held.getStore()?.has(`${kind}/${name}`);
  }

  /** The name of a lock of `kind` this call chain holds (the build a RUN step belongs to). */
  heldName(kind: LockKind): string | undefined {
    for (const key of this.held.getStore()?.keys() ?? []) if (key.startsWith(`${kind}/`)) return key.slice(kind.length + 1);
    return undefined;
  }

  /** Whether some process (this one included) holds the lock right now. */
  busy(kind: LockKind, name: string): boolean {
    const l = this.tryLock(kind, name);
    l?.release();
    return !l;
  }

  /** Removes lock files of `kind` that nobody holds and whose object `exists` denies. */
  sweep(kind: LockKind, exists: (name: string) => boolean): string[] {
    const removed: string[] = [];
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return removed;
    }
    const prefix = `${kind}-`;
    for (const f of names) {
      if (!f.startsWith(prefix) || !f.endsWith('.lock')) continue;
      const name = decodeURIComponent(f.slice(prefix.length, -5));
      if (exists(name)) continue;
      const l = this.tryLock(kind, name);
      if (!l) continue;
      if (exists(name)) l.release();
      else {
        l.release({ unlink: true });
        removed.push(name);
      }
    }
    return removed;
  }
}

