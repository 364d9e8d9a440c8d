import { constants as fsc, closeSync, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, statfsSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { errCode, fdPath, openChild, usingFd } from '../../impl/rooted/root-dir.js';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

type Entry = Partial<tar.Header> & { name: string };

export interface TreeTarOptions {
  /** Every entry gets this owner instead of the file's own (docker cp without -a). */
  owner?: { uid: number; gid: number };
}

function major(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

function minor(rdev: number): number {
  return (rdev & 0xff) | ((rdev >>> 12) & ~0xff & 0xfffff);
}

// Kernel views mounted in a running container: their files are not the container's data, and
// reading some of them blocks or never ends.
const PSEUDO_FS = new Set([0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x27e0eb /* cgroup */, 0x63677270 /* cgroup2 */]);

function isPseudoFs(path: string): boolean {
  try {
    return PSEUDO_FS.has(Number(statfsSync(path).type));
  } catch {
    return false;
  }
}

/** A child that vanished, or was swapped for something else, while the tree was read. */
function changedMeanwhile(e: unknown): boolean {
  const code = errCode(e);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

/**
 * Writes files from disk into a tar stream with their own owner, mode and mtime (as Docker's
 * archive package does): one node at a time or whole trees, never following a symlink, with
 * hard links inside the archive kept as links.
 */
export class TreeTar {
  private readonly pack = tar.pack();
  private readonly inodes = new Map<string, string>();
  /** Set once the archive was aborted: later entries fail at once instead of throwing from tar-stream. */
  private failed?: Error;
  /** Rejects on abort: a write waiting for a reader that went away must not wait forever. */
  private readonly aborted: Promise<never>;
  private onAbort!: (e: Error) => void;

  constructor(private readonly opts: TreeTarOptions = {}) {
    // A failure is reported to the producer (abort) and to whoever reads the stream; an
    // 'error' event nobody listens to would instead end the process.
    this.pack.on('error', () => undefined);
    this.aborted = new Promise<never>((_, reject) => (this.onAbort = reject));
    this.aborted.catch(() => undefined);
  }

  /** The archive. A streamx stream, which Node's pipeline() and for-await take as a Readable. */
  get stream(): Readable {
    return this.pack as unknown as Readable;
  }

  /**
   * Adds one node (a directory without its children). Sockets are skipped, as tar cannot hold
   * them. `abs` is a host path or `/proc/self/fd/N[/NAME]`; `pinned` says it is a descriptor's
   * own path (no NAME), which must be followed to reach the file.
   */
  async addNode(abs: string, name: string, st: Stats = lstatSync(abs), opts: { pinned?: boolean } = {}): Promise<void> {
    const base = {
      name,
      mode: st.mode & 0o7777,
      uid: this.opts.owner?.uid ?? st.uid,
      gid: this.opts.owner?.gid ?? st.gid,
      mtime: st.mtime,
      uname: '',
      gname: '',
    };
    if (st.isDirectory()) return this.entry({ ...base, name: name.endsWith('/') ? name : name + '/', type: 'directory' });
    if (st.isSymbolicLink()) return this.entry({ ...base, type: 'symlink', linkname: readlinkSync(abs) });
    if (st.isCharacterDevice() || st.isBlockDevice()) {
      return this.entry({
        ...base,
        type: st.isCharacterDevice() ? 'character-device' : 'block-device',
        devmajor: major(st.rdev),
        devminor: minor(st.rdev),
      });
    }
    if (st.isFIFO()) return this.entry({ ...base, type: 'fifo' });
    if (!st.isFile()) return;
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.inodes.get(key);
      if (first !== undefined) return this.entry({ ...base, type: 'link', linkname: first });
      this.inodes.set(key, name);
    }
    const header: Entry = { ...base, type: 'file', size: st.size };
    if (st.size === 0) return this.entry(header);
    // O_NOFOLLOW: a file swapped for a symlink meanwhile is refused, not followed out of the
    // tree; O_NONBLOCK: one swapped for a FIFO cannot hang the copy. The inode must be the one
    // stat'ed, or its size and header would not match what is read.
    let fh;
    try {
      fh = await open(abs, fsc.O_RDONLY | fsc.O_NONBLOCK | (opts.pinned ? 0 : fsc.O_NOFOLLOW));
    } catch (e) {
      if (changedMeanwhile(e)) return;
      throw e;
    }
    try {
      const now = await fh.stat();
      if (!now.isFile() || now.ino !== st.ino || now.dev !== st.dev) return;
      if (this.failed) throw this.failed;
      let sink!: ReturnType<tar.Pack['entry']>;
      const written = new Promise<void>((resolve, reject) => {
        sink = this.pack.entry(header, (err) => (err ? reject(err) : resolve()));
      });
      sink.on('error', () => undefined);
      const work = Promise.all([pipeline(fh.createReadStream({ start: 0, end: st.size - 1, autoClose: false }), sink), written]);
      work.catch(() => undefined);
      await Promise.race([work, this.aborted]);
    } finally {
      await fh.close();
    }
  }

  /** Adds host path `abs` and, for a directory, everything below it, children in name order. */
  async addTree(abs: string, name: string, opts: { contentsOnly?: boolean } = {}): Promise<void> {
    const st = lstatSync(abs);
    if (!st.isDirectory()) {
      if (!opts.contentsOnly) await this.addNode(abs, name, st);
      return;
    }
    const fd = openSync(abs, 0o10000000 /* O_PATH */ | fsc.O_DIRECTORY | fsc.O_NOFOLLOW);
    await usingFd(fd, (d) => this.addDirAt(d, name, { ...opts, st: fstatSync(d) }));
  }

  /**
   * Adds the directory open at `dirFd` (its own entry unless `contentsOnly`) and everything
   * below it, children in name order. Each child is looked up one component below its pinned
   * parent and never followed, so a tree changed while it is read (a directory swapped for a
   * symlink) can neither lead the walk outside it nor fail it: what vanished is left out.
   * Kernel pseudo filesystems (proc, sysfs, cgroup) mounted below are kept as empty directories.
   */
  async addDirAt(dirFd: number, name: string, opts: { contentsOnly?: boolean; st?: Stats } = {}): Promise<void> {
    const st = opts.st ?? fstatSync(dirFd);
    if (!opts.contentsOnly) await this.addNode(fdPath(dirFd), name, st, { pinned: true });
    const prefix = name === '' ? '' : name.endsWith('/') ? name : name + '/';
    let children: string[];
    try {
      children = readdirSync(fdPath(dirFd)).sort();
    } catch (e) {
      if (changedMeanwhile(e)) return;
      throw e;
    }
    for (const child of children) {
      const path = fdPath(dirFd, child);
      const cst = lstatSync(path, { throwIfNoEntry: false });
      if (!cst) continue;
      if (!cst.isDirectory()) {
        await this.addNode(path, prefix + child, cst);
        continue;
      }
      let fd: number;
      try {
        fd = openChild(dirFd, child, { dir: true });
      } catch (e) {
        if (changedMeanwhile(e)) continue;
        throw e;
      }
      try {
        const dst = fstatSync(fd);
        if (dst.dev !== st.dev && isPseudoFs(fdPath(fd))) await this.addNode(fdPath(fd), prefix + child, dst, { pinned: true });
        else await this.addDirAt(fd, prefix + child, { st: dst });
      } finally {
        closeSync(fd);
      }
    }
  }

  /** An empty regular file: whiteouts (`.wh.NAME`, `.wh..wh..opq`). */
  addEmpty(name: string, st?: Stats): Promise<void> {
    return this.entry({ name, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: st?.mtime ?? new Date(0), uname: '', gname: '' });
  }

  finish(): void {
    this.pack.finalize();
  }

  abort(err: Error): void {
    this.failed ??= err;
    this.onAbort(this.failed);
    this.pack.destroy(err);
  }

  private entry(h: Entry): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const done = new Promise<void>((resolve, reject) => {
      // A body-less entry still needs its (empty) body ended, or the archive stalls.
      const sink = this.pack.entry(h, Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
      // The callback reports the failure; the sink's own error event must not go unheard.
      sink.on('error', () => undefined);
    });
    done.catch(() => undefined);
    return Promise.race([done, this.aborted]);
  }
}

/**
 * Runs a producer that adds entries to `t` and a consumer that reads `t.stream`, together:
 * whichever fails first stops the other (a producer blocked on a reader that went away
 * would wait forever), and the first error is the one reported.
 */
export async function pumpTar(t: TreeTar, produce: () => Promise<void>, consume: (tar: Readable) => Promise<unknown>): Promise<void> {
  const toError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
  const producing = produce().then(
    () => t.finish(),
    (e: unknown) => {
      t.abort(toError(e));
      throw e;
    },
  );
  const consuming = consume(t.stream).catch((e: unknown) => {
    t.abort(toError(e));
    throw e;
  });
  const [p, c] = await Promise.allSettled([producing, consuming]);
  if (c.status === 'rejected') throw c.reason;
  if (p.status === 'rejected') throw p.reason;
}
