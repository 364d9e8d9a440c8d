import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { unavailable } from '../../core/errdefs.js';
import { pidAlive } from '../../sys/process.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn` holding `<dir>/.lock` (an O_EXCL file with our pid), so two containers starting
 * with the same new volume do not both copy into it. A holder that died leaves a lock that
 * the next caller takes over.
 */
export function withVolumeLock<T>(dir: string, fn: () => T, timeoutMs = 120_000): T {
  const lock = join(dir, '.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = 0;
    try {
      holder = Number(readFileSync(lock, 'utf8'));
    } catch {
      continue; // released meanwhile
    }
    // An empty file is a holder between create and write: wait for it like a live one.
    if (holder > 0 && !pidAlive(holder)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw unavailable(`volume ${basename(dir)} is locked by process ${holder}`);
    Atomics.wait(pause, 0, 0, 25);
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
