/**
 * Unpacks a tar into a directory of a tree someone else controls (`docker cp` into a
 * container), as Docker's chrooted untar does: entry names are relative to the destination and
 * may not climb above it; directories on the way that are symlinks are followed, inside the
 * tree's root; whatever is in the way of an entry is replaced (a directory meeting a directory
 * keeps its contents). `.wh.*` names are ordinary files here: whiteouts belong to image layers.
 *
 * Every write happens one component below a directory pinned by a descriptor that was
 * resolved inside the root, and never follows that last component, so a tree that changes
 * while it is written to (a directory exchanged with a symlink) cannot redirect a write
 * outside it.
 */
import {
  chmodSync, chownSync, closeSync, constants as fsc, fchmodSync, fchownSync, fstatSync, futimesSync, lchownSync,
  linkSync, lstatSync, lutimesSync, mkdirSync, openSync, symlinkSync, utimesSync, writeSync,
} from 'node:fs';
import { posix } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { EngineError, invalidArgument } from '../../core/errdefs.js';
import { makedev, mknod } from '../../sys/linux/syscalls.js';
import { isOverlayXattr, setXattrs } from '../layers/fs-util.js';
import { cleanName } from '../layers/layer-writer.js';
import type { TarEntry, TarSink } from '../layers/tar-reader.js';
import type { RootDir} from './root-dir.js';
import { errCode, fdPath, openChild, removeAt } from './root-dir.js';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const O_CLOEXEC = 0o2000000;

/** The name an entry lands at, relative to the destination; refuses names that climb out. */
export function entryName(name: string): string {
  if (name.includes('\0')) throw invalidArgument(`archive entry ${JSON.stringify(name)}: NUL in name`);
  // Docker joins the name to the destination, so a leading "/" is as good as none.
  const rel = cleanName(name.replace(/^\/+/, ''));
  if (rel === null) throw invalidArgument(`archive entry "${name}": path escapes the destination directory`);
  return rel;
}

export interface RootedWriterOptions {
  /** Largest single entry accepted (bytes). */
  maxEntrySize: number;
}

interface OpenFile {
  fd: number;
  name: string;
  path: string;
  entry: TarEntry;
}

export class RootedTarWriter implements TarSink {
  /** Directories below the destination ('' is the destination), pinned as O_PATH descriptors. */
  private readonly dirs = new Map<string, number>();
  private readonly dirTimes: [number, number, number][] = [];
  private open: OpenFile | null = null;

  /**
   * @param destFd the destination directory, already resolved inside `root` (owned by the caller)
   * @param destPath its path inside the root, for following symlinks met below it and for messages
   */
  constructor(
    private readonly root: RootDir,
    private readonly destFd: number,
    private readonly destPath: string,
    private readonly opts: RootedWriterOptions,
  ) {
    this.dirs.set('', destFd);
  }

  begin(h: TarEntry): void {
    const rel = entryName(h.name);
    if (h.size > this.opts.maxEntrySize) {
      throw invalidArgument(`archive entry "${h.name}": size ${h.size} exceeds the limit of ${this.opts.maxEntrySize} bytes`);
    }
    try {
      if (rel === '') {
        if (h.type !== 'directory') throw invalidArgument(`archive entry "${h.name}": cannot replace the destination directory`);
        this.attrs(this.destFd, h);
        this.dirTimes.push([this.destFd, h.atime, h.mtime]);
        return;
      }
      const slash = rel.lastIndexOf('/');
      const parent = this.dir(slash < 0 ? '' : rel.slice(0, slash));
      const leaf = rel.slice(slash + 1);
      const path = fdPath(parent, leaf);
      const old = lstatSync(path, { throwIfNoEntry: false });
      if (old && !(old.isDirectory() && h.type === 'directory')) {
        this.forget(rel);
        removeAt(parent, leaf);
      }
      switch (h.type) {
        case 'file':
        case 'contiguous-file': {
          const fd = openSync(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW | O_CLOEXEC, 0o600);
          this.open = { fd, name: h.name, path, entry: h };
          return;
        }
        case 'directory': {
          if (!old) mkdirSync(path, 0o700);
          const fd = openChild(parent, leaf, { dir: true });
          this.dirs.set(rel, fd);
          this.attrs(fd, h);
          if (h.xattrs) this.xattrs(path, h.xattrs);
          this.dirTimes.push([fd, h.atime, h.mtime]);
          return;
        }
        case 'symlink':
          if (h.linkname === '' || h.linkname.includes('\0')) throw invalidArgument(`archive entry "${h.name}": bad symlink target`);
          symlinkSync(h.linkname, path);
          lchownSync(path, h.uid, h.gid);
          lutimesSync(path, h.atime, h.mtime);
          return;
        case 'link':
          this.hardlink(h, rel, path);
          return;
        case 'character-device':
        case 'block-device':
        case 'fifo': {
          const fmt = h.type === 'fifo' ? S_IFIFO : h.type === 'block-device' ? S_IFBLK : S_IFCHR;
          mknod(path, fmt | 0o600, h.type === 'fifo' ? 0n : makedev(h.devmajor, h.devminor));
          const fd = openChild(parent, leaf);
          try {
            this.attrs(fd, h);
            utimesSync(fdPath(fd), h.atime, h.mtime);
          } finally {
            closeSync(fd);
          }
          return;
        }
        default:
          throw invalidArgument(`archive entry "${h.name}": unsupported entry type ${JSON.stringify(h.typeflag)}`);
      }
    } catch (e) {
      throw this.wrap(h.name, e);
    }
  }

  data(buf: Buffer, start: number, end: number): void {
    const f = this.open;
    if (!f) return;
    try {
      while (start < end) start += writeSync(f.fd, buf, start, end - start);
    } catch (e) {
      this.abort();
      throw this.wrap(f.name, e);
    }
  }

  end(): void {
    const f = this.open;
    if (!f) return;
    const h = f.entry;
    try {
      fchownSync(f.fd, h.uid, h.gid);
      // After chown, which clears setuid/setgid.
      fchmodSync(f.fd, h.mode);
      if (h.xattrs) this.xattrs(f.path, h.xattrs);
      futimesSync(f.fd, h.atime, h.mtime);
      this.open = null;
      closeSync(f.fd);
    } catch (e) {
      this.abort();
      throw this.wrap(f.name, e);
    }
  }

  /** Sets directory times last (entries made inside changed them), and lets go of the directories. */
  finish(): void {
    try {
      for (let i = this.dirTimes.length - 1; i >= 0; i--) {
        const [fd, atime, mtime] = this.dirTimes[i]!;
        utimesSync(fdPath(fd), atime, mtime);
      }
    } finally {
      this.release();
    }
  }

  abort(): void {
    const f = this.open;
    this.open = null;
    if (f) closeSync(f.fd);
    this.release();
  }

  private release(): void {
    for (const [rel, fd] of this.dirs) if (rel !== '') closeSync(fd);
    this.dirs.clear();
    this.dirs.set('', this.destFd);
    this.dirTimes.length = 0;
  }

  /**
   * The directory `rel` below the destination, made (0755) where missing. An existing symlink
   * on the way is followed inside the root, as a chrooted untar would.
   */
  private dir(rel: string): number {
    const known = this.dirs.get(rel);
    if (known !== undefined) return known;
    let fd = this.root.tryOpen(posix.join(this.destPath, rel), { follow: true, dir: true });
    if (fd === undefined) {
      const slash = rel.lastIndexOf('/');
      const parent = this.dir(slash < 0 ? '' : rel.slice(0, slash));
      const leaf = rel.slice(slash + 1);
      try {
        mkdirSync(fdPath(parent, leaf), 0o755);
      } catch (e) {
        if (errCode(e) !== 'EEXIST') throw e;
      }
      fd = openChild(parent, leaf, { dir: true });
    }
    this.dirs.set(rel, fd);
    return fd;
  }

  /** Drops pinned directories at and below `rel`, which are about to be replaced. */
  private forget(rel: string): void {
    for (const [d, fd] of this.dirs) {
      if (d !== '' && (d === rel || d.startsWith(rel + '/'))) {
        closeSync(fd);
        this.dirs.delete(d);
        for (let i = this.dirTimes.length - 1; i >= 0; i--) if (this.dirTimes[i]![0] === fd) this.dirTimes.splice(i, 1);
      }
    }
  }

  private hardlink(h: TarEntry, rel: string, path: string): void {
    const target = entryName(h.linkname);
    if (target === '' || target === rel) throw invalidArgument(`archive entry "${h.name}": bad hard link target "${h.linkname}"`);
    const slash = target.lastIndexOf('/');
    const parentRel = slash < 0 ? '' : target.slice(0, slash);
    const parent = this.dirs.get(parentRel) ?? this.root.tryOpen(posix.join(this.destPath, parentRel), { follow: true, dir: true });
    if (parent === undefined) throw invalidArgument(`archive entry "${h.name}": hard link target "${h.linkname}" does not exist`);
    try {
      const from = fdPath(parent, target.slice(slash + 1));
      const st = lstatSync(from, { throwIfNoEntry: false });
      if (!st) throw invalidArgument(`archive entry "${h.name}": hard link target "${h.linkname}" does not exist`);
      if (st.isDirectory()) throw invalidArgument(`archive entry "${h.name}": hard link to directory "${h.linkname}"`);
      linkSync(from, path);
    } finally {
      if (!this.dirs.has(parentRel)) closeSync(parent);
    }
  }

  /** Owner then mode (chown clears setuid) of a pinned node, through its descriptor's path. */
  private attrs(fd: number, h: TarEntry): void {
    const st = fstatSync(fd);
    if (st.uid !== h.uid || st.gid !== h.gid) chownSync(fdPath(fd), h.uid, h.gid);
    chmodSync(fdPath(fd), h.mode);
  }

  private xattrs(path: string, xattrs: Map<string, Buffer>): void {
    setXattrs(path, [...xattrs].filter(([k]) => !isOverlayXattr(k)));
  }

  /** Errors name the entry and the container path, never the descriptor paths used underneath. */
  private wrap(name: string, e: unknown): Error {
    if (e instanceof EngineError) return e;
    const code = errCode(e);
    const errno = (e as { errno?: number }).errno;
    const known = typeof errno === 'number' ? getSystemErrorMap().get(errno < 0 ? errno : -errno)?.[1] : undefined;
    const text = known ?? code ?? (e instanceof Error ? e.message : String(e));
    const err = new Error(`cannot copy "${name}" into ${this.destPath}: ${text}`) as Error & { code?: string };
    if (code) err.code = code;
    return err;
  }
}
