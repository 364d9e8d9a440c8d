/**
 * Docker's copy-up: a volume that is empty when mounted takes the image's files at the mount
 * point (contents, ownership, modes), so `VOLUME /var/lib/x` keeps what the image put there.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, readdirSync, readlinkSync, renameSync } from 'node:fs';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
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
 * Fills `data` (the volume's `_data` in `volDir`) from the image's directory at `destination`
 * when `data` is empty. The copy goes into a staging directory beside `data` without any lock;
 * `lock` (the volume's lock, synchronous) then only covers the check that `data` is still empty
 * and the renames into it, so a start never holds the lock, or the event loop, for a copy. Two
 * starts racing both copy; the loser's copy is thrown away.
 */
export async function copyUp(
  rootfs: string,
  destination: string,
  volDir: string,
  data: string,
  lock: (fn: () => void) => void,
): Promise<void> {
  if ((await readdir(data)).length) return;
  const src = resolveInRoot(rootfs, destination);
  if (!src) return;
  const st = await lstat(src);
  if (!st.isDirectory()) return;
  let stage: string | undefined;
  try {
    if ((await readdir(src)).length) {
      stage = await mkdtemp(join(volDir, '.copy-up-'));
      try {
        await copyTree(src, stage);
      } catch (e) {
        throw internal(`copying the image's ${destination} into its volume: ${(e as Error).message}`, e);
      }
    }
    lock(() => {
      if (readdirSync(data).length) return;
      if (stage) for (const name of readdirSync(stage)) renameSync(join(stage, name), join(data, name));
      chownSync(data, st.uid, st.gid);
      chmodSync(data, st.mode & 0o7777);
    });
  } finally {
    if (stage) await rm(stage, { recursive: true, force: true });
  }
}
