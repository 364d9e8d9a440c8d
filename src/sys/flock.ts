/**
 * flock(2) through libc. A lock belongs to an open file description, so the kernel drops it
 * the moment its holder dies (no pid file to go stale, no reused pid to fool), and two opens
 * in one process exclude each other too. Only non-blocking calls: a blocking flock would
 * freeze Node's event loop, so callers retry on their own schedule.
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { koffi as lazyKoffi } from './linux/koffi-lazy.js';
import { errnoError } from './linux/syscalls.js';

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
const EWOULDBLOCK = 11;
const EINTR = 4;

let flockFn: ((fd: number, op: number) => number) | undefined;

function flock(): (fd: number, op: number) => number {
  return (flockFn ??= lazyKoffi().load('libc.so.6').func('int flock(int fd, int op)') as (fd: number, op: number) => number);
}

/** Opens (creating) a lock file. libuv opens every file O_CLOEXEC: conmon and runc never inherit it. */
export function openLockFile(path: string): number {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
}

/** Takes the lock if it is free; false when another open file description holds it. */
export function tryFlock(fd: number, shared = false): boolean {
  for (;;) {
    if (flock()(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) === 0) return true;
    const errno = lazyKoffi().errno();
    if (errno === EWOULDBLOCK) return false;
    if (errno !== EINTR) throw errnoError(errno, 'flock');
  }
}

export function unlockAndClose(fd: number): void {
  try {
    flock()(fd, LOCK_UN);
  } finally {
    closeSync(fd);
  }
}

/**
 * The timer process's "I am the one" lock: takes `path` without waiting and returns the open
 * descriptor (keep it), or undefined when another process holds it.
 */
export function tryLockFile(path: string): number | undefined {
  const fd = openSync(path, 'a', 0o600);
  if (tryFlock(fd)) return fd;
  closeSync(fd);
  return undefined;
}

/** Whether some live process holds the lock on `path` (probes by taking it and letting go). */
export function lockHeld(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = tryLockFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  if (fd === undefined) return true;
  closeSync(fd);
  return false;
}

/** Whether the locked descriptor is still the file at `path` (a holder unlinks it on release). */
export function heldFileCurrent(fd: number, path: string): boolean {
  try {
    const a = fstatSync(fd);
    const b = statSync(path);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}
