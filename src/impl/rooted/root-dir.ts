/**
 * A directory tree that someone else controls (a container's root, a writable layer), opened
 * so that no path inside it is ever resolved as a host path string: names go to openat2 with
 * RESOLVE_IN_ROOT, which the kernel resolves as a process chrooted at the tree would (absolute
 * symlinks and `..` stay inside, magic links refused), atomically against renames. What it
 * returns is an O_PATH descriptor; later work goes through `/proc/self/fd/N/NAME`, one
 * component below a pinned directory, never following that last component.
 */
import { closeSync, constants as fsc, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, rmdirSync, unlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { failedPrecondition } from '../../core/errdefs.js';
import { O_PATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS, openat2 } from '../../sys/linux/syscalls.js';

const O_CLOEXEC = 0o2000000;
const MAX_LINKS = 40;

/** The path through which descriptor `fd` (and, given `name`, one entry of it) is reached. */
export function fdPath(fd: number, name?: string): string {
  return name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

export function errCode(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

/** Runs `fn` with `fd` and closes it after, however `fn` ends. */
export async function usingFd<T>(fd: number, fn: (fd: number) => Promise<T> | T): Promise<T> {
  try {
    return await fn(fd);
  } finally {
    closeSync(fd);
  }
}

/** Opens a child of a pinned directory as O_PATH without following it. */
export function openChild(dirFd: number, name: string, opts: { dir?: boolean } = {}): number {
  return openSync(fdPath(dirFd, name), O_PATH | O_CLOEXEC | fsc.O_NOFOLLOW | (opts.dir ? fsc.O_DIRECTORY : 0));
}

/**
 * Removes entry `name` of a pinned directory and, for a directory, all below it, each step one
 * component below a pinned parent: a directory swapped for a symlink meanwhile is unlinked as
 * a symlink, never walked into.
 */
export function removeAt(dirFd: number, name: string): void {
  const path = fdPath(dirFd, name);
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isDirectory()) {
    unlinkSync(path);
    return;
  }
  const fd = openChild(dirFd, name, { dir: true });
  try {
    for (const child of readdirSync(fdPath(fd))) removeAt(fd, child);
  } finally {
    closeSync(fd);
  }
  rmdirSync(path);
}

export class RootDir {
  private closed = false;

  private constructor(readonly fd: number) {}

  /** Opens `hostPath` (trusted: chosen by the engine, not by the tree's owner) as the root. */
  static open(hostPath: string): RootDir {
    return new RootDir(openSync(hostPath, O_PATH | O_CLOEXEC | fsc.O_DIRECTORY));
  }

  static async with<T>(hostPath: string, fn: (root: RootDir) => Promise<T>): Promise<T> {
    const root = RootDir.open(hostPath);
    try {
      return await fn(root);
    } finally {
      root.close();
    }
  }

  /**
   * An O_PATH descriptor for `path` (absolute or not, always taken from the root). The last
   * component is followed only with `follow`; `dir` demands a directory. Throws Node-style
   * errors (ENOENT, ENOTDIR, ELOOP …) carrying `path` as given, never a host path.
   */
  open(path: string, opts: { follow?: boolean; dir?: boolean } = {}): number {
    const flags = O_PATH | O_CLOEXEC | (opts.follow ? 0 : fsc.O_NOFOLLOW) | (opts.dir ? fsc.O_DIRECTORY : 0);
    try {
      return openat2(this.fd, path === '' ? '/' : path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    } catch (e) {
      // Without openat2 there is no safe way in by name: fail closed rather than resolve strings.
      if (errCode(e) === 'ENOSYS') throw failedPrecondition('this kernel lacks openat2 (Linux 5.6 or later), which skiff needs to reach paths inside a container safely');
      throw e;
    }
  }

  /** Like `open`, but undefined when the path does not exist (or, with `dir`, is no directory). */
  tryOpen(path: string, opts: { follow?: boolean; dir?: boolean } = {}): number | undefined {
    try {
      return this.open(path, opts);
    } catch (e) {
      if (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR') return undefined;
      throw e;
    }
  }

  /** lstat (or stat with `follow`) of `path` inside the root; undefined when it does not exist. */
  stat(path: string, opts: { follow?: boolean } = {}): Stats | undefined {
    const fd = this.tryOpen(path, opts);
    if (fd === undefined) return undefined;
    try {
      return fstatSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The absolute path, inside the root, that `path` names once every symlink on the way (and
   * the last one too) is resolved the way RESOLVE_IN_ROOT resolves it. For messages and
   * headers only: what it returns is a name, and opening it again goes through `open`.
   */
  realPath(path: string): string {
    const todo = path.split('/').filter((p) => p !== '' && p !== '.');
    const done: string[] = [];
    let hops = 0;
    while (todo.length) {
      const comp = todo.shift()!;
      if (comp === '..') {
        done.pop();
        continue;
      }
      const parent = this.tryOpen('/' + done.join('/'), { dir: true, follow: true });
      if (parent === undefined) {
        done.push(comp);
        continue;
      }
      let target: string | undefined;
      try {
        const st = lstatSync(fdPath(parent, comp), { throwIfNoEntry: false });
        if (st?.isSymbolicLink()) target = readlinkSync(fdPath(parent, comp));
      } finally {
        closeSync(parent);
      }
      if (target === undefined) {
        done.push(comp);
        continue;
      }
      if (++hops > MAX_LINKS) break;
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
    }
    return '/' + done.join('/');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
