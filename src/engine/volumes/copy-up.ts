/**
 * Docker's copy-up: a volume that is empty when mounted takes the image's files at the mount
 * point (contents, ownership, modes), so `VOLUME /var/lib/x` keeps what the image put there.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, readlinkSync, writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
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

/** `cp -a` in a child process: the service's event loop goes on while it copies. */
function copyTree(src: string, dst: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // cp -a keeps owners, modes, times, xattrs, symlinks as links and hard links within the tree.
    const p = spawn('cp', ['-a', '--', `${src}/.`, dst], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(err.trim() || `cp exited with ${code}`))));
  });
}

/**
 * Fills `data` from the image's directory at `destination` when `data` is empty. Called holding
 * the volume's lock. A marker beside `data` lives while the copy runs: a process killed mid-copy
 * leaves it with a partial `data`, which the next start empties and copies again rather than
 * taking a half copy for a full one. (`data` itself stays in place: a running container may
 * have it bind-mounted.) The copy runs in a child process, so the event loop (the API service's)
 * goes on meanwhile; the lock held is a flock, which waiters poll without blocking.
 */
export async function copyUp(rootfs: string, destination: string, data: string): Promise<void> {
  const marker = join(dirname(data), 'copyup-pending');
  if (existsSync(marker)) {
    for (const name of await readdir(data)) await rm(join(data, name), { recursive: true, force: true });
  } else if ((await readdir(data)).length) {
    return;
  }
  const src = resolveInRoot(rootfs, destination);
  if (!src) return void (await rm(marker, { force: true }));
  const st = lstatSync(src);
  if (!st.isDirectory()) return void (await rm(marker, { force: true }));
  writeFileSync(marker, '');
  crashPoint('copy-up:begin');
  if ((await readdir(src)).length) {
    try {
      await copyTree(src, data);
    } catch (e) {
      throw internal(`copying the image's ${destination} into its volume: ${(e as Error).message}`, e);
    }
  }
  crashPoint('copy-up:copied');
  chownSync(data, st.uid, st.gid);
  chmodSync(data, st.mode & 0o7777);
  await rm(marker, { force: true });
}
