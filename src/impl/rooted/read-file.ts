/**
 * Small files the engine reads out of a tree that someone else controls (a container's
 * /etc/passwd and /etc/group): reached through `RootDir`, so a symlinked or swapped
 * `/etc/group` resolves inside the container's root and never reaches a host file, and read
 * only when it is a regular file (a FIFO would hang the reader) and only up to a bound.
 */
import { closeSync, constants as fsc, fstatSync, openSync, readSync } from 'node:fs';
import { RootDir, errCode, fdPath } from './root-dir.js';

const O_CLOEXEC = 0o2000000;
/** Far above any real passwd/group file; a bigger one is read up to here. */
const MAX_BYTES = 4 << 20;

/** The text of `path` inside the tree at `rootHostPath`; undefined when it is missing or no regular file. */
export function readRootedText(rootHostPath: string, path: string, maxBytes = MAX_BYTES): string | undefined {
  let root: RootDir;
  try {
    root = RootDir.open(rootHostPath);
  } catch (e) {
    if (errCode(e) === 'ENOENT') return undefined;
    throw e;
  }
  try {
    let fd: number | undefined;
    try {
      fd = root.tryOpen(path, { follow: true });
    } catch (e) {
      if (errCode(e) === 'ELOOP') return undefined;
      throw e;
    }
    if (fd === undefined) return undefined;
    try {
      if (!fstatSync(fd).isFile()) return undefined;
      const rd = openSync(fdPath(fd), fsc.O_RDONLY | O_CLOEXEC);
      try {
        const buf = Buffer.alloc(Math.min(maxBytes, Math.max(fstatSync(rd).size, 0)));
        let n = 0;
        while (n < buf.length) {
          const got = readSync(rd, buf, n, buf.length - n, n);
          if (got === 0) break;
          n += got;
        }
        return buf.subarray(0, n).toString('utf8');
      } finally {
        closeSync(rd);
      }
    } finally {
      closeSync(fd);
    }
  } finally {
    root.close();
  }
}
