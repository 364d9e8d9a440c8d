/**
 * Random bytes from the kernel (/dev/urandom). node:crypto would do, but loading it (OpenSSL's
 * set-up) costs 3–8 ms on this kind of machine, more than a whole `create` otherwise spends,
 * and `run` needs only a few IDs and names.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export function randomBytes(n: number): Buffer {
  const buf = Buffer.alloc(n);
  const fd = openSync('/dev/urandom', 'r');
  try {
    for (let off = 0; off < n; ) off += readSync(fd, buf, off, n - off, null);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** A uniform integer in [0, max), max ≤ 2^32 (rejection sampling: no modulo bias). */
export function randomInt(max: number): number {
  const limit = 2 ** 32 - (2 ** 32 % max);
  for (;;) {
    const v = randomBytes(4).readUInt32LE(0);
    if (v < limit) return v % max;
  }
}
