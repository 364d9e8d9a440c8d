// Network octets handed out to test envs (test/integration/network/fixtures.ts): a flock on
// /run/skiff-test-octets/<n>, held by the test process while its env lives and let go when
// removeTree removes the env (or when the process dies). The file names its last env: one left
// on disk keeps the octet. Never unlinked: a file removed while locked would let the next taker
// lock a new file of the same name, and two envs would share one bridge (seen in CI).
import { closeSync, existsSync, ftruncateSync, mkdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tryLockFile } from '../../src/sys/flock.js';

const OCTETS = '/run/skiff-test-octets';
const held = new Map<number, { fd: number; dir: string }>();

/** Takes octet n for the env at `dir`; false when another env (of any process) holds it. */
export function reserveOctet(n: number, dir: string): boolean {
  if (held.has(n)) return false;
  mkdirSync(OCTETS, { recursive: true });
  const file = join(OCTETS, String(n));
  const fd = tryLockFile(file);
  if (fd === undefined) return false;
  // The last holder's env still on disk (a killed run, a failed teardown) still owns its bridges
  // and claims: its octet stays out of use until that env is removed.
  const last = readFileSync(file, 'utf8');
  if (last && last !== dir && existsSync(last)) {
    closeSync(fd);
    return false;
  }
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
