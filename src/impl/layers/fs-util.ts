// Filesystem helpers shared by the drivers and the tar applier: copying one node with all
// its metadata, overlay whiteout tests, and layer size.
import {
  chmodSync, copyFileSync, constants as fsc, lchownSync, lstatSync, lutimesSync, mkdirSync, open, openSync,
  readdirSync, readlinkSync, symlinkSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { chmod, copyFile, lchown, lstat, lutimes, readdir } from 'node:fs/promises';
import { lgetxattr, llistxattr, lsetxattr, mknod } from '../../sys/linux/syscalls.js';
import { inUserNamespace } from '../../sys/linux/rootless-uid.js';

/** Attributes that steer overlayfs itself; a layer's content must never carry them. */
export function isOverlayXattr(name: string): boolean {
  return name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.');
}

/** lstat on libuv's pool; undefined when nothing is there (lstatSync's throwIfNoEntry: false). */
export async function lstatIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** overlayfs marks a deleted path with a 0/0 character device. */
export function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/**
 * The name of overlayfs's opaque-directory xattr here. In a user namespace (rootless) the
 * kernel cannot let us set trusted.* xattrs, so overlays are mounted with `userxattr` and read
 * user.overlay.* instead (Linux 5.11+).
 */
export function opaqueXattr(): string {
  return inUserNamespace() ? 'user.overlay.opaque' : 'trusted.overlay.opaque';
}

export function isOpaque(path: string): boolean {
  if (lgetxattr(path, opaqueXattr())?.toString() === 'y') return true;
  if (!inUserNamespace()) return false;
  // fuse-overlayfs marks the directories it makes opaque with its own xattr, or where it cannot
  // set one, with a `.wh..wh..opq` file (the layer tar's own marker).
  return lgetxattr(path, 'user.fuseoverlayfs.opaque')?.toString() === 'y' || lstatSync(`${path}/${FUSE_OPAQUE_FILE}`, { throwIfNoEntry: false })?.isFile() === true;
}

/** The opaque marker file fuse-overlayfs leaves in an upper directory. */
export const FUSE_OPAQUE_FILE = '.wh..wh..opq';

/**
 * Names in an upper directory that are an overlay's bookkeeping, not content: fuse-overlayfs's
 * `.wh.`-prefixed markers (a layer tar gives the prefix the same meaning).
 */
export function isOverlayBookkeeping(name: string): boolean {
  return name.startsWith('.wh.');
}

/** Sets xattrs, ignoring the ones this filesystem or our privilege cannot hold (as Docker does). */
export function setXattrs(path: string, xattrs: Iterable<[string, Buffer]>): void {
  for (const [name, value] of xattrs) {
    try {
      lsetxattr(path, name, value);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EPERM') throw e;
    }
  }
}

export function copyXattrs(src: string, dst: string): void {
  let names: string[];
  try {
    names = llistxattr(src);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOTSUP') return;
    throw e;
  }
  const pairs: [string, Buffer][] = [];
  for (const n of names) {
    if (isOverlayXattr(n)) continue;
    const v = lgetxattr(src, n);
    if (v !== undefined) pairs.push([n, v]);
  }
  setXattrs(dst, pairs);
}

/**
 * Creates `dst` (which must not exist) as a copy of the single node `src` whose lstat is
 * `st`: file contents, directory (empty), symlink, device or fifo, then owner, mode,
 * xattrs and times.
 */
export function copyNode(src: string, dst: string, st: Stats): void {
  if (st.isFile()) {
    // COPYFILE_EXCL: never write through something that appeared at dst.
    copyFileSync(src, dst, fsc.COPYFILE_EXCL | fsc.COPYFILE_FICLONE);
  } else if (st.isDirectory()) {
    mkdirSync(dst, 0o700);
  } else if (st.isSymbolicLink()) {
    symlinkSync(readlinkSync(src), dst);
  } else if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) {
    // st_rdev is the raw dev_t that mknod takes.
    mknod(dst, st.mode, BigInt(st.rdev));
  } else {
    throw new Error(`cannot copy ${src}: unsupported file type`);
  }
  lchownSync(dst, st.uid, st.gid);
  if (!st.isSymbolicLink()) chmodSync(dst, st.mode & 0o7777);
  copyXattrs(src, dst);
  lutimesSync(dst, st.atime, st.mtime);
}

/** `copyNode` with a regular file's bytes copied off the event loop (libuv's thread pool). */
export async function copyNodeAsync(src: string, dst: string, st: Stats): Promise<void> {
  if (!st.isFile()) return copyNode(src, dst, st);
  await copyFile(src, dst, fsc.COPYFILE_EXCL | fsc.COPYFILE_FICLONE);
  await lchown(dst, st.uid, st.gid);
  await chmod(dst, st.mode & 0o7777);
  copyXattrs(src, dst);
  await lutimes(dst, st.atime, st.mtime);
}

/** `treeSize`, walking asynchronously. */
export async function treeSizeAsync(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (path: string, st: Stats): Promise<void> => {
    if (st.isFile() && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) return;
      seen.add(key);
    }
    if (st.isFile() || st.isDirectory() || st.isSymbolicLink()) total += st.size;
    if (!st.isDirectory()) return;
    const names = await readdir(path);
    for (let i = 0; i < names.length; i += 64) {
      const batch = names.slice(i, i + 64).map((n) => `${path}/${n}`);
      const stats = await Promise.all(batch.map((p) => lstat(p)));
      for (const [k, s] of stats.entries()) await walk(batch[k]!, s);
    }
  };
  await walk(dir, await lstat(dir));
  return total;
}

/**
 * Bytes a layer directory holds: the sum of st_size over regular files (each inode once, so
 * hard links count once), directories and symlinks. Apparent size rather than allocated
 * blocks, so the figure is the same on every filesystem and matches what `docker system df`
 * reports for layers.
 */
export function treeSize(dir: string): number {
  const seen = new Set<string>();
  let total = 0;
  const walk = (path: string) => {
    const st = lstatSync(path, { bigint: false });
    if (st.isFile() && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) return;
      seen.add(key);
    }
    if (st.isFile() || st.isDirectory() || st.isSymbolicLink()) total += st.size;
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(`${path}/${name}`);
  };
  walk(dir);
  return total;
}

/**
 * Opens a new file for writing, refusing to reuse or follow anything already at `path`.
 * (libuv adds O_CLOEXEC itself.)
 */
export function openExclusive(path: string, mode = 0o600): number {
  return openSync(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, mode);
}

/** openExclusive on libuv's pool: creating a file can wait long for a busy disk's journal. */
export function openExclusiveAsync(path: string, mode = 0o600): Promise<number> {
  return new Promise((resolve, reject) =>
    open(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, mode, (e, fd) => (e ? reject(e) : resolve(fd))),
  );
}
