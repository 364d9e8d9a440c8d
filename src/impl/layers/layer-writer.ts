/**
 * Turns tar entries into files under one layer directory, refusing anything that would
 * reach outside it.
 *
 * Path rules (decided here, checked by test/integration/layers/hostile.test.ts):
 * - Entry names are taken relative to the layer root: a leading "./" is dropped, a leading
 *   "/" is refused (Docker strips it), and ".." is resolved lexically; a name that climbs above the
 *   root is refused, even if it would come back down ("../root/x").
 * - Every directory on the way to an entry must be a real directory in the layer tree; a
 *   symlink there is refused rather than followed (also for whiteouts and hard-link
 *   targets). Missing directories are created (mode 0755, or copied from the nearest lower
 *   layer that has them).
 * - Nothing is ever written into an existing file: what is in the way is removed and
 *   created anew, except a directory meeting a directory, which keeps its contents.
 * - xattrs that drive overlayfs (trusted.overlay.*, user.overlay.*) are dropped from entries.
 * All refusals are InvalidArgument naming the entry.
 */
import {
  chmodSync, close, closeSync, fchmod, fchown, futimes, write, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lstatSync, lutimesSync,
  mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeSync,
} from 'node:fs';
import { promisify } from 'node:util';
import { EngineError, invalidArgument } from '../../core/errdefs.js';
import { lgetxattr, lsetxattr, makedev, mknod } from '../../sys/linux/syscalls.js';
import { copyNode, isOverlayXattr, opaqueXattr, openExclusive, openExclusiveAsync, setXattrs } from './fs-util.js';
import { findInLowers } from './lowers.js';
import type { TarEntry, TarSink } from './tar-reader.js';

export type WhiteoutFormat = 'overlay' | 'delete' | 'none';

export interface LayerWriterOptions {
  /**
   * 'overlay': whiteouts become 0/0 char devices and opaque xattrs; 'delete': they remove files;
   * 'none': `.wh.*` names are ordinary files (a copy of files, not an image layer).
   */
  whiteouts: WhiteoutFormat;
  /** Overlay parents' diff dirs, nearest first: where hard-link targets and parent dirs are found. */
  lowerDirs?: readonly string[];
  maxEntrySize: number;
}

const WH_PREFIX = '.wh.';
const WH_OPAQUE = '.wh..wh..opq';
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

const EGID = process.getegid?.() ?? -1;

// The gid test also covers filesystems mounted with BSD group semantics (grpid).
function isPlainDir(abs: string): boolean {
  const st = lstatSync(abs);
  return (st.mode & 0o2000) === 0 && st.gid === EGID && lgetxattr(abs, 'system.posix_acl_default') === undefined;
}

function readUmask(): number | null {
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? parseInt(m[1]!, 8) : null;
  } catch {
    return null;
  }
}

const writeAsync = promisify(write);
const fchownAsync = promisify(fchown);
const fchmodAsync = promisify(fchmod);
const futimesAsync = promisify(futimes);
const closeAsync = promisify(close);

function errCode(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}

// Names with no empty, "." or ".." component and no leading or trailing slash.
const CLEAN_RE = /^(?!\.\.?(?:\/|$))[^/]+(?:\/(?!\.\.?(?:\/|$))[^/]+)*$/;

/** Relative, normalised form of a tar name; null when it climbs above the root. */
export function cleanName(name: string): string | null {
  if (CLEAN_RE.test(name)) return name;
  const out: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else {
      out.push(p);
    }
  }
  return out.join('/');
}

interface OpenFile {
  /** -1 while beginAsync's open is pending. */
  fd: number;
  name: string;
  abs: string;
  entry: TarEntry;
  chown: boolean;
  chmod: boolean;
}

export class LayerWriter implements TarSink {
  private readonly root: string;
  private readonly opts: LayerWriterOptions;
  private readonly lowers: readonly string[];
  /**
   * Directories (relative; '' is the root) known to be real directories in the tree, each
   * with whether it is "plain": neither setgid nor carrying a default ACL, so that a file
   * created in it gets our own uid/gid and its mode minus the umask, and needs no chown or
   * chmod when that is what the entry asks for.
   */
  private readonly dirs = new Map<string, boolean>();
  private readonly euid = process.geteuid?.() ?? -1;
  private readonly egid = EGID;
  private readonly umask = readUmask();
  /** 'delete' mode: paths this layer put in place, which an opaque marker must not wipe. */
  private readonly unpacked: Set<string> | null;
  private readonly dirTimes: [string, number, number][] = [];
  /** The regular file whose data is being written. */
  private open: OpenFile | null = null;
  /** Set during beginAsync: `file` starts an open on libuv's pool, left here, instead of opening. */
  private deferOpen = false;
  private opening: Promise<number> | null = null;

  constructor(root: string, opts: LayerWriterOptions) {
    this.root = root;
    this.opts = opts;
    this.lowers = opts.lowerDirs ?? [];
    this.unpacked = opts.whiteouts === 'delete' ? new Set() : null;
    this.dirs.set('', isPlainDir(root));
  }

  /**
   * Starts one entry; a regular file is left open for `data` and finished by `end`. Refusals
   * are thrown from here, before any of the entry's data is read.
   */
  begin(h: TarEntry): void {
    const name = h.name;
    if (name.includes('\0')) throw invalidArgument(`layer entry ${JSON.stringify(name)}: NUL in name`);
    // Docker strips a leading "/"; we refuse it, as no tool that makes layers writes one and a
    // tar that does was made to be unpacked somewhere else.
    if (name.startsWith('/')) throw invalidArgument(`layer entry "${name}": absolute path`);
    const rel = cleanName(name);
    if (rel === null) throw invalidArgument(`layer entry "${name}": path escapes the layer root`);
    const slash = rel.lastIndexOf('/');
    const type = h.type;

    if (type !== 'directory' && this.opts.whiteouts !== 'none' && rel.startsWith(WH_PREFIX, slash + 1)) {
      this.whiteout(name, slash < 0 ? '' : rel.slice(0, slash), rel.slice(slash + 1));
      return;
    }
    if (h.size > this.opts.maxEntrySize) {
      throw invalidArgument(`layer entry "${name}": size ${h.size} exceeds the limit of ${this.opts.maxEntrySize} bytes`);
    }
    switch (type) {
      case 'file':
      case 'contiguous-file':
        if (rel === '') throw invalidArgument(`layer entry "${name}": cannot replace the layer root`);
        this.file(name, rel, slash < 0 ? '' : rel.slice(0, slash), h);
        break;
      case 'directory':
        this.directory(name, rel, h);
        break;
      case 'symlink':
        this.symlink(name, rel, h);
        break;
      case 'link':
        this.hardlink(name, rel, h);
        break;
      case 'character-device':
      case 'block-device':
      case 'fifo':
        this.device(name, rel, h);
        break;
      default:
        throw invalidArgument(`layer entry "${name}": unsupported entry type ${JSON.stringify(h.typeflag)}`);
    }
  }

  /** Writes the open file's data; data of other entries is dropped. */
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

  /** Sets the open file's owner, mode, xattrs and times, and closes it. */
  end(): void {
    const f = this.open;
    if (!f) return;
    const h = f.entry;
    try {
      if (f.chown) fchownSync(f.fd, h.uid, h.gid);
      // After chown, which clears setuid/setgid.
      if (f.chmod) fchmodSync(f.fd, h.mode);
      if (h.xattrs) this.xattrs(f.abs, h.xattrs);
      futimesSync(f.fd, h.atime, h.mtime);
      this.open = null;
      closeSync(f.fd);
    } catch (e) {
      this.abort();
      throw this.wrap(f.name, e);
    }
  }

  /**
   * begin, data and end with a regular file's open, writes, owner, mode, times and close on
   * libuv's pool (the API service applies build contexts and layers: a create or write held up
   * by a busy disk must not hold its event loop). Other entries are made as by begin. The
   * caller awaits each call before the next, so the tar's order is kept.
   */
  async beginAsync(h: TarEntry): Promise<void> {
    this.deferOpen = true;
    try {
      this.begin(h);
    } finally {
      this.deferOpen = false;
    }
    const opening = this.opening;
    if (!opening) return;
    this.opening = null;
    try {
      this.open!.fd = await opening;
    } catch (e) {
      this.open = null;
      throw e;
    }
  }

  async dataAsync(buf: Buffer): Promise<void> {
    const f = this.open;
    if (!f) return;
    try {
      for (let at = 0; at < buf.length; ) at += (await writeAsync(f.fd, buf, at, buf.length - at)).bytesWritten;
    } catch (e) {
      this.abort();
      throw this.wrap(f.name, e);
    }
  }

  async endAsync(): Promise<void> {
    const f = this.open;
    if (!f) return;
    const h = f.entry;
    try {
      if (f.chown) await fchownAsync(f.fd, h.uid, h.gid);
      // After chown, which clears setuid/setgid.
      if (f.chmod) await fchmodAsync(f.fd, h.mode);
      if (h.xattrs) this.xattrs(f.abs, h.xattrs);
      await futimesAsync(f.fd, h.atime, h.mtime);
      this.open = null;
      await closeAsync(f.fd);
    } catch (e) {
      this.abort();
      throw this.wrap(f.name, e);
    }
  }

  /** Sets directory times last: creating entries inside them changed them meanwhile. */
  finish(): void {
    for (let i = this.dirTimes.length - 1; i >= 0; i--) {
      const [path, atime, mtime] = this.dirTimes[i]!;
      try {
        lutimesSync(path, atime, mtime);
      } catch (e) {
        if (errCode(e) !== 'ENOENT') throw e;
      }
    }
  }

  /** Closes the file being written, if any (on failure). */
  abort(): void {
    const f = this.open;
    if (f) {
      this.open = null;
      if (f.fd >= 0) closeSync(f.fd);
    }
  }

  private file(name: string, rel: string, parent: string, h: TarEntry): void {
    if (parent !== '') this.ensureDir(name, parent);
    this.unpacked?.add(rel);
    const abs = this.root + '/' + rel;
    const mode = h.mode;
    const plain = this.dirs.get(parent) === true;
    const chown = !plain || h.uid !== this.euid || h.gid !== this.egid;
    const chmod = chown || this.umask === null || (mode & 0o7000) !== 0 || (mode & this.umask) !== 0;
    if (this.deferOpen) {
      this.open = { fd: -1, name, abs, entry: h, chown, chmod };
      this.opening = openExclusiveAsync(abs, mode & 0o777).catch(() => this.create(name, rel, abs, () => openExclusive(abs, mode & 0o777)));
      return;
    }
    let fd: number;
    try {
      fd = openExclusive(abs, mode & 0o777);
    } catch {
      fd = this.create(name, rel, abs, () => openExclusive(abs, mode & 0o777));
    }
    this.open = { fd, name, abs, entry: h, chown, chmod };
  }

  private directory(name: string, rel: string, h: TarEntry): void {
    let abs = this.root;
    if (rel !== '') {
      abs = this.prepare(name, rel);
      try {
        mkdirSync(abs, 0o700);
      } catch (e) {
        if (errCode(e) !== 'EEXIST') throw this.wrap(name, e);
        const st = lstatSync(abs);
        if (!st.isDirectory()) {
          this.removeAt(rel, abs);
          mkdirSync(abs, 0o700);
        }
      }
    }
    try {
      lchownSync(abs, h.uid, h.gid);
      chmodSync(abs, h.mode);
      if (h.xattrs) this.xattrs(abs, h.xattrs);
      this.dirs.set(rel, isPlainDir(abs));
    } catch (e) {
      throw this.wrap(name, e);
    }
    this.dirTimes.push([abs, h.atime, h.mtime]);
  }

  private symlink(name: string, rel: string, h: TarEntry): void {
    if (rel === '') throw invalidArgument(`layer entry "${name}": cannot replace the layer root`);
    const target = h.linkname;
    if (target === '' || target.includes('\0')) throw invalidArgument(`layer entry "${name}": bad symlink target`);
    const abs = this.prepare(name, rel);
    this.create(name, rel, abs, () => symlinkSync(target, abs));
    try {
      lchownSync(abs, h.uid, h.gid);
      if (h.xattrs) this.xattrs(abs, h.xattrs);
      lutimesSync(abs, h.atime, h.mtime);
    } catch (e) {
      throw this.wrap(name, e);
    }
  }

  private hardlink(name: string, rel: string, h: TarEntry): void {
    if (rel === '') throw invalidArgument(`layer entry "${name}": cannot replace the layer root`);
    const linkname = h.linkname;
    const targetRel = linkname.includes('\0') ? null : cleanName(linkname);
    if (targetRel === null || targetRel === '') {
      throw invalidArgument(`layer entry "${name}": hard link target "${linkname}" escapes the layer root`);
    }
    if (targetRel === rel) throw invalidArgument(`layer entry "${name}": hard link to itself`);
    const targetAbs = this.root + '/' + targetRel;
    const tslash = targetRel.lastIndexOf('/');
    const targetDir = tslash < 0 ? '' : targetRel.slice(0, tslash);
    let st = this.existingDir(name, targetDir) ? lstatSync(targetAbs, { throwIfNoEntry: false }) : undefined;
    if (!st && this.lowers.length > 0) {
      // overlayfs cannot link across layers: copy the lower file up into this layer first.
      const found = findInLowers(this.lowers, targetRel);
      if (found.kind === 'blocked') {
        throw invalidArgument(`layer entry "${name}": hard link target "${linkname}" goes through non-directory "${found.at}"`);
      }
      if (found.kind === 'found' && !found.st.isDirectory()) {
        this.prepare(name, targetRel);
        try {
          copyNode(found.path, targetAbs, found.st);
        } catch (e) {
          throw this.wrap(name, e);
        }
        st = found.st;
      }
    }
    if (!st) throw invalidArgument(`layer entry "${name}": hard link target "${linkname}" does not exist`);
    if (st.isDirectory()) throw invalidArgument(`layer entry "${name}": hard link to directory "${linkname}"`);
    const abs = this.prepare(name, rel);
    this.create(name, rel, abs, () => linkSync(targetAbs, abs));
  }

  private device(name: string, rel: string, h: TarEntry): void {
    if (rel === '') throw invalidArgument(`layer entry "${name}": cannot replace the layer root`);
    const abs = this.prepare(name, rel);
    const fmt = h.type === 'fifo' ? S_IFIFO : h.type === 'block-device' ? S_IFBLK : S_IFCHR;
    const dev = h.type === 'fifo' ? 0n : makedev(h.devmajor, h.devminor);
    this.create(name, rel, abs, () => mknod(abs, fmt | 0o600, dev));
    try {
      lchownSync(abs, h.uid, h.gid);
      chmodSync(abs, h.mode);
      if (h.xattrs) this.xattrs(abs, h.xattrs);
      lutimesSync(abs, h.atime, h.mtime);
    } catch (e) {
      throw this.wrap(name, e);
    }
  }

  private whiteout(name: string, dirRel: string, base: string): void {
    if (base === WH_OPAQUE) {
      if (this.opts.whiteouts === 'overlay') {
        this.ensureDir(name, dirRel);
        lsetxattr(dirRel === '' ? this.root : this.root + '/' + dirRel, opaqueXattr(), Buffer.from('y'));
      } else if (this.existingDir(name, dirRel)) {
        this.wipeExceptUnpacked(dirRel);
      }
      return;
    }
    const victim = base.slice(WH_PREFIX.length);
    // ".wh..wh.*" other than the opaque marker is aufs bookkeeping, which Docker skips too.
    if (victim.startsWith(WH_PREFIX)) return;
    if (victim === '' || victim === '.' || victim === '..') {
      throw invalidArgument(`layer entry "${name}": bad whiteout name`);
    }
    const victimRel = dirRel === '' ? victim : dirRel + '/' + victim;
    const abs = this.root + '/' + victimRel;
    if (this.opts.whiteouts === 'overlay') {
      this.ensureDir(name, dirRel);
      this.create(name, victimRel, abs, () => mknod(abs, S_IFCHR, 0n));
      return;
    }
    if (!this.existingDir(name, dirRel)) return;
    if (lstatSync(abs, { throwIfNoEntry: false })) this.removeAt(victimRel, abs);
  }

  /** Makes sure the parent of `rel` is a real directory and returns rel's absolute path. */
  private prepare(name: string, rel: string): string {
    const slash = rel.lastIndexOf('/');
    if (slash >= 0) this.ensureDir(name, rel.slice(0, slash));
    this.unpacked?.add(rel);
    return this.root + '/' + rel;
  }

  /** Runs `make`; if something is in the way, removes it and runs `make` again. */
  private create<T>(name: string, rel: string, abs: string, make: () => T): T {
    try {
      return make();
    } catch (e) {
      if (errCode(e) !== 'EEXIST') throw this.wrap(name, e);
    }
    try {
      this.removeAt(rel, abs);
      return make();
    } catch (e) {
      throw this.wrap(name, e);
    }
  }

  private removeAt(rel: string, abs: string): void {
    const st = lstatSync(abs);
    if (st.isDirectory()) {
      rmSync(abs, { recursive: true, force: true });
      this.forgetDirs(rel);
    } else {
      unlinkSync(abs);
    }
  }

  private forgetDirs(rel: string): void {
    const prefix = rel + '/';
    this.dirs.delete(rel);
    for (const d of this.dirs.keys()) if (d.startsWith(prefix)) this.dirs.delete(d);
  }

  /** Creates directory `rel` and its parents as needed; refuses symlinks and files on the way. */
  private ensureDir(name: string, rel: string): void {
    if (this.dirs.has(rel)) return;
    const slash = rel.lastIndexOf('/');
    if (slash >= 0) this.ensureDir(name, rel.slice(0, slash));
    const abs = this.root + '/' + rel;
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (st) {
      this.refuseNonDir(name, rel, st.isDirectory(), st.isSymbolicLink());
    } else {
      this.makeParent(name, rel, abs);
      this.unpacked?.add(rel);
    }
    this.dirs.set(rel, isPlainDir(abs));
  }

  /** Like ensureDir but creates nothing: false when some directory on the way is missing. */
  private existingDir(name: string, rel: string): boolean {
    if (this.dirs.has(rel)) return true;
    const slash = rel.lastIndexOf('/');
    if (slash >= 0 && !this.existingDir(name, rel.slice(0, slash))) return false;
    const st = lstatSync(this.root + '/' + rel, { throwIfNoEntry: false });
    if (!st) return false;
    this.refuseNonDir(name, rel, st.isDirectory(), st.isSymbolicLink());
    this.dirs.set(rel, isPlainDir(this.root + '/' + rel));
    return true;
  }

  private refuseNonDir(name: string, rel: string, isDir: boolean, isLink: boolean): void {
    if (isDir) return;
    throw invalidArgument(
      `layer entry "${name}": path component "${rel}" is ${isLink ? 'a symbolic link' : 'not a directory'} in the layer`,
    );
  }

  // A parent missing from an overlay diff usually exists in a lower layer; copying its owner
  // and mode keeps the merged view the same as a full copy (vfs) would be.
  private makeParent(name: string, rel: string, abs: string): void {
    const found = this.lowers.length > 0 ? findInLowers(this.lowers, rel) : null;
    if (found?.kind === 'blocked') this.refuseNonDir(name, found.at, false, found.st.isSymbolicLink());
    if (found?.kind === 'found') this.refuseNonDir(name, rel, found.st.isDirectory(), found.st.isSymbolicLink());
    try {
      if (found?.kind === 'found') copyNode(found.path, abs, found.st);
      else mkdirSync(abs, 0o755);
    } catch (e) {
      throw this.wrap(name, e);
    }
  }

  private wipeExceptUnpacked(dirRel: string): void {
    const unpacked = this.unpacked!;
    const dirAbs = dirRel === '' ? this.root : this.root + '/' + dirRel;
    for (const child of readdirSync(dirAbs)) {
      const rel = dirRel === '' ? child : dirRel + '/' + child;
      const abs = dirAbs + '/' + child;
      if (!unpacked.has(rel)) this.removeAt(rel, abs);
      else if (lstatSync(abs).isDirectory()) this.wipeExceptUnpacked(rel);
    }
  }

  private xattrs(abs: string, xattrs: Map<string, Buffer>): void {
    const keep: [string, Buffer][] = [];
    for (const [k, v] of xattrs) if (!isOverlayXattr(k)) keep.push([k, v]);
    setXattrs(abs, keep);
  }

  private wrap(name: string, e: unknown): Error {
    if (e instanceof EngineError) return e;
    const err = e as Error;
    err.message = `layer entry "${name}": ${err.message}`;
    return err;
  }
}
