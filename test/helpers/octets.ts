// Network octets handed out to test envs (test/integration/network/fixtures.ts): a flock on
// /run/skiff-test-octets/<n>, held by the test process while its env lives and let go when
// removeTree removes the env (or when the process dies). Never unlinked: a file removed while
// locked would let the next taker lock a new file of the same name, and two envs would share
// one bridge (seen in CI).
import { closeSync, ftruncateSync, mkdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tryLockFile } from '../../src/sys/flock.js';

const OCTETS = '/run/skiff-test-octets';
const held = new Map<number, { fd: number; dir: string }>();

/** Takes octet n for the env at `dir`; false when another env (of any process) holds it. */
export function reserveOctet(n: number, dir: string): boolean {
  if (held.has(n)) return false;
  mkdirSync(OCTETS, { recursive: true });
  const fd = tryLockFile(join(OCTETS, String(n)));
  if (fd === undefined) return false;
  // The holder's dir, for whoever looks at the host: the lock, not this text, is the reservation.
  ftruncateSync(fd);
  writeSync(fd, dir);
  held.set(n, { fd, dir });
  return true;
}

/** Lets go of the octets this process reserved for `dir`. */
export function releaseOctets(dir: string): void {
  for (const [n, r] of held) {
    if (r.dir !== dir) continue;
    held.delete(n);
    closeSync(r.fd);
  }
}
