import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Calls `visit` with the lstat of every node below `dir` (not `dir` itself), asynchronously:
 * the API service answers other requests while `system df` walks big trees. Entries of one
 * directory are stat'ed a batch at a time; vanished entries and unreadable directories are skipped.
 */
export async function walkTree(dir: string, visit: (st: Stats) => void): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (let i = 0; i < names.length; i += 64) {
    const batch = names.slice(i, i + 64).map((n) => join(dir, n));
    const stats = await Promise.all(batch.map((p) => lstat(p).catch(() => undefined)));
    for (const [k, st] of stats.entries()) {
      if (!st) continue; // removed while we walked
      if (st.isDirectory()) await walkTree(batch[k]!, visit);
      else visit(st);
    }
  }
}

/** Bytes of the files below `dir`, each inode once (Docker's directory.Size). 0 when missing. */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  await walkTree(dir, (st) => {
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) return;
      seen.add(key);
    }
    total += st.size;
  });
  return total;
}
