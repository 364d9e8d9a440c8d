import { lstatSync, readlinkSync } from 'node:fs';
import { invalidArgument } from '../../core/errdefs.js';

const MAX_LINKS = 40;

/**
 * The host path that `path` names inside the tree at `root`, as a process chrooted there
 * would see it: symlinks (absolute ones too) are resolved against `root`, and `..` never
 * climbs above it. Components that do not exist are appended as they are. With
 * `followLast: false` a symlink as the last component is kept (cp copies the link itself).
 */
export function resolveInRoot(root: string, path: string, opts: { followLast?: boolean } = {}): string {
  const followLast = opts.followLast ?? true;
  const todo = path.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let hops = 0;
  let missing = false;
  while (todo.length) {
    const comp = todo.shift()!;
    if (comp === '.' || comp === '') continue;
    if (comp === '..') {
      done.pop();
      continue;
    }
    const host = `${root}/${[...done, comp].join('/')}`;
    const st = missing ? undefined : lstatSync(host, { throwIfNoEntry: false });
    if (!st) missing = true;
    if (st?.isSymbolicLink() && (todo.length > 0 || followLast)) {
      if (++hops > MAX_LINKS) throw invalidArgument(`too many levels of symbolic links resolving ${path}`);
      const target = readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      continue;
    }
    done.push(comp);
  }
  return done.length ? `${root}/${done.join('/')}` : root;
}
