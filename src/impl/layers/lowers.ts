// Looks a path up through an overlay layer's parents (their diff dirs, nearest first) the way
// the merged mount would see it, without following any symlink on the way.
import { lstatSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { isOpaque, isWhiteout, lstatIfExists } from './fs-util.js';

export type LowerLookup =
  | { kind: 'found'; path: string; st: Stats }
  | { kind: 'missing' }
  /** `at` (relative) is a symlink or non-directory in the merged view, so `rel` cannot be reached without following it. */
  | { kind: 'blocked'; at: string; st: Stats };

/** The lookup, one lstat at a time: yields a path, is resumed with its Stats (undefined: absent). */
function* lookup(lowers: readonly string[], rel: string): Generator<string, LowerLookup, Stats | undefined> {
  const parts = rel.split('/');
  for (const lower of lowers) {
    let path = lower;
    let opaque = false;
    let missing = false;
    for (let i = 0; i < parts.length; i++) {
      path += '/' + parts[i];
      const st = yield path;
      if (!st) {
        missing = true;
        break;
      }
      if (isWhiteout(st)) return { kind: 'missing' };
      if (i === parts.length - 1) return { kind: 'found', path, st };
      if (!st.isDirectory()) return { kind: 'blocked', at: parts.slice(0, i + 1).join('/'), st };
      if (!opaque && isOpaque(path)) opaque = true;
    }
    // An opaque directory on the way hides whatever deeper layers have below it.
    if (missing && opaque) return { kind: 'missing' };
  }
  return { kind: 'missing' };
}

export function findInLowers(lowers: readonly string[], rel: string): LowerLookup {
  const steps = lookup(lowers, rel);
  for (let r = steps.next(); ; ) {
    if (r.done) return r.value;
    r = steps.next(lstatSync(r.value, { throwIfNoEntry: false }));
  }
}

/** findInLowers with its lstats on libuv's pool (the API service's layer walks). */
export async function findInLowersAsync(lowers: readonly string[], rel: string): Promise<LowerLookup> {
  const steps = lookup(lowers, rel);
  for (let r = steps.next(); ; ) {
    if (r.done) return r.value;
    r = steps.next(await lstatIfExists(r.value));
  }
}
