/**
 * A whole-file flock(2) that dies with its process: the timer process's "I am the one" lock.
 * Kept apart from the lock manager on purpose (that one serialises operations; this one names
 * a live holder): a holder's death, even by SIGKILL, frees it at once, with no stale file to judge.
 * Node opens files O_CLOEXEC, so children (conmon) never inherit the descriptor.
 */
import { closeSync, openSync } from 'node:fs';
import { koffi } from './linux/koffi-lazy.js';
import { errnoError } from './linux/syscalls.js';

const LOCK_EX = 2;
const LOCK_NB = 4;
const EWOULDBLOCK = 11;

let flockFn: ((fd: number, op: number) => number) | undefined;

function flock(fd: number, op: number): number {
  flockFn ??= koffi().load('libc.so.6').func('int flock(int fd, int op)') as (fd: number, op: number) => number;
  return flockFn(fd, op);
}

/** Takes the lock on `path` without waiting: the open descriptor (keep it), or undefined if another process holds it. */
export function tryLockFile(path: string): number | undefined {
  const fd = openSync(path, 'a', 0o600);
  if (flock(fd, LOCK_EX | LOCK_NB) === 0) return fd;
  const errno = koffi().errno();
  closeSync(fd);
  if (errno === EWOULDBLOCK) return undefined;
  throw errnoError(errno, 'flock', path);
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
