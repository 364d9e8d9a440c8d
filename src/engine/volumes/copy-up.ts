/**
 * Docker's copy-up: a volume that is empty when mounted takes the image's files at the mount
 * point (contents, ownership, modes), so `VOLUME /var/lib/x` keeps what the image put there.
 */
import { chmodSync, chownSync, existsSync, lstatSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { crashPoint } from '../../sys/crash-point.js';
import { internal } from '../../core/errdefs.js';

/**
 * `path` inside `root`, following symlinks as if `root` were `/` (an image's symlink must not
 * lead the copy out to the host). undefined when some component does not exist.
 */
export function resolveInRoot(root: string, path: string): string | undefined {
  const todo = path.split('/').filter(Boolean);
  const done: string[] = [];
  for (let links = 0; todo.length; ) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    let st;
    try {
      st = lstatSync(host);
    } catch {
      return undefined;
    }
    if (!st.isSymbolicLink()) {
      done.push(part);
      continue;
    }
    if (++links > 40) return undefined;
    const target = readlinkSync(host);
    if (target.startsWith('/')) done.length = 0;
    todo.unshift(...target.split('/').filter(Boolean));
  }
  return join(root, ...done);
}

/**
 * Fills `data` from the image's directory at `destination` when `data` is empty. Called holding
 * the volume's lock. A marker beside `data` lives while the copy runs: a process killed mid-copy
 * leaves it with a partial `data`, which the next start empties and copies again rather than
 * taking a half copy for a full one. (`data` itself stays in place: a running container may
 * have it bind-mounted.)
 */
export function copyUp(rootfs: string, destination: string, data: string): void {
  const marker = join(dirname(data), 'copyup-pending');
  if (existsSync(marker)) {
    for (const name of readdirSync(data)) rmSync(join(data, name), { recursive: true, force: true });
  } else if (readdirSync(data).length) {
    return;
  }
  const src = resolveInRoot(rootfs, destination);
  if (!src) return void rmSync(marker, { force: true });
  const st = lstatSync(src);
  if (!st.isDirectory()) return void rmSync(marker, { force: true });
  writeFileSync(marker, '');
  crashPoint('copy-up:begin');
  if (readdirSync(src).length) {
    try {
      // cp -a keeps owners, modes, times, xattrs, symlinks as links and hard links within the tree.
      execFileSync('cp', ['-a', '--', `${src}/.`, data], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw internal(`copying the image's ${destination} into its volume: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`, e);
    }
  }
  crashPoint('copy-up:copied');
  chownSync(data, st.uid, st.gid);
  chmodSync(data, st.mode & 0o7777);
  rmSync(marker, { force: true });
}
