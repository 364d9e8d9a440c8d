import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes of the files below `dir`, each inode once (Docker's directory.Size). 0 when missing. */
export function directorySize(dir: string): number {
  const seen = new Set<string>();
  let total = 0;
  const walk = (p: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(p);
    } catch {
      return;
    }
    for (const name of entries) {
      const child = join(p, name);
      let st;
      try {
        st = lstatSync(child, { bigint: false });
      } catch {
        continue; // removed while we walked
      }
      if (st.isDirectory()) {
        walk(child);
        continue;
      }
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += st.size;
    }
  };
  walk(dir);
  return total;
}
