import { constants as fsc, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
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

/**
 * Writes files from disk into a tar stream with their own owner, mode and mtime (as Docker's
 * archive package does): one node at a time or whole trees, never following a symlink, with
 * hard links inside the archive kept as links.
 */
export class TreeTar {
  private readonly pack = tar.pack();
  private readonly inodes = new Map<string, string>();

  constructor(private readonly opts: TreeTarOptions = {}) {}

  private nodeStream?: Readable;

  /** The archive as a Node stream (tar-stream's own is a streamx one). */
  get stream(): Readable {
    return (this.nodeStream ??= Readable.from(this.pack, { objectMode: false }));
  }

  /** Adds one node (a directory without its children). Sockets are skipped, as tar cannot hold them. */
  async addNode(abs: string, name: string, st: Stats = lstatSync(abs)): Promise<void> {
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
    let sink!: ReturnType<tar.Pack['entry']>;
    const written = new Promise<void>((resolve, reject) => {
      sink = this.pack.entry(header, (err) => (err ? reject(err) : resolve()));
    });
    // O_NOFOLLOW: a file swapped for a symlink meanwhile is refused, not followed out of the tree.
    const fh = await open(abs, fsc.O_RDONLY | fsc.O_NOFOLLOW);
    try {
      await Promise.all([pipeline(fh.createReadStream({ start: 0, end: st.size - 1, autoClose: false }), sink), written]);
    } finally {
      await fh.close();
    }
  }

  /** Adds `abs` and, for a directory, everything below it, children in name order. */
  async addTree(abs: string, name: string, opts: { contentsOnly?: boolean } = {}): Promise<void> {
    const st = lstatSync(abs);
    if (!opts.contentsOnly) await this.addNode(abs, name, st);
    if (!st.isDirectory()) return;
    const prefix = name === '' ? '' : name.endsWith('/') ? name : name + '/';
    for (const child of readdirSync(abs).sort()) await this.addTree(`${abs}/${child}`, prefix + child);
  }

  /** An empty regular file: whiteouts (`.wh.NAME`, `.wh..wh..opq`). */
  addEmpty(name: string, st?: Stats): Promise<void> {
    return this.entry({ name, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: st?.mtime ?? new Date(0), uname: '', gname: '' });
  }

  finish(): void {
    this.pack.finalize();
  }

  abort(err: Error): void {
    this.pack.destroy(err);
  }

  private entry(h: Entry): Promise<void> {
    return new Promise((resolve, reject) => {
      // A body-less entry still needs its (empty) body ended, or the archive stalls.
      this.pack.entry(h, Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  }
}
