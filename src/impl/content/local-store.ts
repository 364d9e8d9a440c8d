import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,

  createReadStream,
  existsSync,
  fsync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  type Stats,
} from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobInfo, ContentStore, ContentWriter, Expected, WrittenReader } from '../../core/content/content.js';
import { parseDigest } from '../../core/content/digest.js';
import { invalidArgument, notFound } from '../../core/errdefs.js';
import { tryFlock, unlockAndClose, heldFileCurrent } from '../../sys/flock.js';
import { ParallelSha256 } from '../layers/parallel-hash.js';

/**
 * The on-disk content store: `<root>/blobs/sha256/<hex>` for committed blobs and
 * `<root>/ingest/<ref-hash>/data` for writes in progress. A commit is
 * verify → fsync → rename, so a blob's name always matches its bytes.
 */
export class LocalContentStore implements ContentStore {
  readonly root: string;
  private readonly blobDir: string;
  private readonly ingestDir: string;

  constructor(root: string) {
    this.root = root;
    this.blobDir = join(root, 'blobs', 'sha256');
    this.ingestDir = join(root, 'ingest');
    mkdirSync(this.blobDir, { recursive: true });
    mkdirSync(this.ingestDir, { recursive: true });
  }

  blobPath(digest: string): string {
    return join(this.blobDir, parseDigest(digest).hex);
  }

  has(digest: string): boolean {
    return existsSync(this.blobPath(digest));
  }

  info(digest: string): BlobInfo | undefined {
    let st: Stats;
    try {
      st = statSync(this.blobPath(digest));
    } catch {
      return undefined;
    }
    return { digest, size: st.size, createdAt: st.mtimeMs };
  }

  openRead(digest: string, start = 0): Readable {
    const p = this.blobPath(digest);
    if (!existsSync(p)) throw notFound(`blob ${digest}: not found`);
    return createReadStream(p, { start, highWaterMark: 1 << 20 });
  }

  async readBytes(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.blobPath(digest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`blob ${digest}: not found`, e);
      throw e;
    }
  }

  async writer(ref: string): Promise<ContentWriter> {
    const dir = join(this.ingestDir, createHash('sha256').update(ref).digest('hex').slice(0, 32));
    await lockIngest(dir);
    try {
      return IngestWriter.open(dir, (hex) => join(this.blobDir, hex));
    } catch (e) {
      unlockIngest(dir);
      throw e;
    }
  }

  async ingest(ref: string, stream: AsyncIterable<Buffer>, expected?: Expected): Promise<{ digest: string; size: number }> {
    if (expected?.digest && this.has(expected.digest)) {
      // Drain: the caller's stream may be a tar entry that must be consumed to go on.
      for await (const _ of stream) void _;
      return { digest: expected.digest, size: this.info(expected.digest)!.size };
    }
    const w = await this.writer(ref);
    try {
      for await (const chunk of stream) await w.write(chunk);
      return await w.commit(expected);
    } catch (e) {
      await w.abort();
      throw e;
    }
  }

  async put(data: Buffer, expected?: Expected): Promise<{ digest: string; size: number }> {
    const digest = 'sha256:' + createHash('sha256').update(data).digest('hex');
    checkExpected(digest, data.length, expected);
    if (!this.has(digest)) {
      // On the thread pool: an fsync behind other writers' dirty data can take hundreds of ms.
      const tmp = join(this.ingestDir, `put-${randomBytes(8).toString('hex')}`);
      const fh = await open(tmp, 'w', 0o644);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.blobPath(digest));
    }
    return { digest, size: data.length };
  }

  async delete(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  /** Synchronous delete, for use inside a database write transaction. */
  deleteSync(digest: string): void {
    rmSync(this.blobPath(digest), { force: true });
  }

  list(): BlobInfo[] {
    const out: BlobInfo[] = [];
    for (const hex of readdirSync(this.blobDir)) {
      if (!/^[a-f0-9]{64}$/.test(hex)) continue;
      const info = this.info(`sha256:${hex}`);
      if (info) out.push(info);
    }
    return out;
  }

  /**
   * Partial downloads: each ingest with its bytes and whether a live writer holds it (a pull
   * in progress, in this process or another). `put-*` files are a put's moment between write
   * and rename: held while younger than a minute.
   */
  ingests(): IngestInfo[] {
    const out: IngestInfo[] = [];
    for (const name of readdirSync(this.ingestDir)) {
      const p = join(this.ingestDir, name);
      try {
        const st = statSync(p);
        if (!st.isDirectory()) out.push({ name, size: st.size, active: Date.now() - st.mtimeMs < PUT_GRACE_MS });
        else out.push({ name, size: statSync(join(p, 'data'), { throwIfNoEntry: false })?.size ?? 0, active: ingestHeld(p) });
      } catch {
        // Committed or removed meanwhile.
      }
    }
    return out;
  }

  /**
   * Removes the ingests no live process holds (left by a failed or killed download), taking
   * each one's lock first so a writer arriving meanwhile waits rather than writes into a
   * directory being removed. Returns what went.
   */
  pruneIngests(): { removed: number; bytes: number } {
    let removed = 0;
    let bytes = 0;
    for (const ing of this.ingests()) {
      if (ing.active) continue;
      const p = join(this.ingestDir, ing.name);
      let locked = false;
      try {
        if (statSync(p).isDirectory() && !(locked = tryLockIngest(p))) continue;
        rmSync(p, { recursive: true, force: true });
        if (locked) unlockIngest(p);
        locked = false;
        removed++;
        bytes += ing.size;
      } catch {
        // Another process removed it first, or a writer recreated its lock before the rmdir: a
        // lock of ours left there would hold that writer off for as long as this process lives.
        if (locked) unlockIngest(p);
      }
    }
    return { removed, bytes };
  }
}

export interface IngestInfo {
  /** the directory (or put file) under `<root>/ingest` */
  name: string;
  /** bytes held so far */
  size: number;
  /** a live writer holds it: not removable */
  active: boolean;
}

const PUT_GRACE_MS = 60_000;

function checkExpected(digest: string, size: number, expected?: Expected): void {
  if (expected?.size !== undefined && expected.size !== size) {
    throw invalidArgument(`blob size mismatch: expected ${expected.size} bytes, got ${size} (${digest})`);
  }
  if (expected?.digest !== undefined && expected.digest !== digest) {
    throw invalidArgument(`blob digest mismatch: expected ${expected.digest}, got ${digest}`);
  }
}

/**
 * Appends and hashes on the hashing worker (parallel-hash.ts): `write` copies the chunk into a
 * staging block and returns, waiting only when the worker is far behind, so a download's
 * bytes cost the main thread one memcpy. Readers of the ingest see what `written` counts.
 */
class IngestWriter implements ContentWriter {
  /** Where the bytes are: the ingest file, then the blob once committed. */
  private path: string;
  private digested: Promise<string> | null = null;
  private readonly watchers: ((bytes: number) => void)[] = [];

  private constructor(
    private readonly dir: string,
    private readonly blobPathOf: (hex: string) => string,
    private fd: number,
    private readonly hash: ParallelSha256,
    private size: number,
    readonly offset: number,
  ) {
    this.path = join(dir, 'data');
    hash.writeTo(fd, (n) => {
      for (const w of this.watchers) w(offset + n);
    });
  }

  /** Resumes an existing ingest by re-hashing what it already holds. */
  static open(dir: string, blobPathOf: (hex: string) => string): IngestWriter {
    const data = join(dir, 'data');
    const hash = new ParallelSha256();
    let size = 0;
    if (existsSync(data)) {
      // Re-hash what an interrupted writer left, a MiB at a time (a partial layer can be large).
      const buf = Buffer.allocUnsafe(1 << 20);
      const fd = openSync(data, 'r');
      try {
        for (let n; (n = readSync(fd, buf, 0, buf.length, size)) > 0; size += n) hash.update(buf.subarray(0, n));
      } finally {
        closeSync(fd);
      }
    }
    const fd = openSync(data, 'a', 0o644);
    return new IngestWriter(dir, blobPathOf, fd, hash, size, size);
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.digested) throw new Error('ingest: write after digest');
    this.hash.update(chunk);
    this.size += chunk.length;
    if (this.hash.behind) await this.hash.drained();
  }

  /** The final digest: nothing may be written after it was asked for. */
  digest(): Promise<string> {
    this.digested ??= this.hash.digest();
    return this.digested;
  }

  get written(): number {
    return this.offset + this.hash.written;
  }

  watchWritten(listener: (bytes: number) => void): void {
    this.watchers.push(listener);
  }

  /** Every write handed to the worker has landed (or failed): the descriptor may be closed. */
  private async settle(): Promise<void> {
    if (this.fd >= 0) await this.digest().catch(() => undefined);
  }

  async commit(expected?: Expected): Promise<{ digest: string; size: number }> {
    let digest: string;
    try {
      digest = await this.digest();
      checkExpected(digest, this.size, expected);
    } catch (e) {
      await this.abort();
      throw e;
    }
    // On the thread pool: a large blob's fsync would otherwise stall everything else in flight.
    // Needed: the blob's name claims its bytes' digest, and a crash must not leave that name on
    // a file whose data never reached the disk.
    const fd = this.fd;
    await new Promise<void>((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
    closeSync(this.fd);
    this.fd = -1;
    const blob = this.blobPathOf(digest.slice(7));
    renameSync(join(this.dir, 'data'), blob);
    this.path = blob;
    rmSync(this.dir, { recursive: true, force: true });
    held.delete(this.dir);
    return { digest, size: this.size };
  }

  openWritten(): WrittenReader {
    // An open descriptor keeps reading the same bytes across the rename at commit.
    const fd = openSync(this.path, 'r');
    let open = true;
    return {
      read: (buf, position) => readSync(fd, buf, 0, buf.length, position),
      close: () => {
        if (open) closeSync(fd);
        open = false;
      },
    };
  }

  async abort(): Promise<void> {
    await this.settle();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    if (held.has(this.dir)) {
      rmSync(this.dir, { recursive: true, force: true });
      unlockIngest(this.dir);
    }
  }

  async release(): Promise<void> {
    await this.settle();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    if (held.has(this.dir)) unlockIngest(this.dir);
  }
}

/** Ingest dirs this process holds the lock of, with the lock's descriptor. */
const held = new Map<string, number>();

/**
 * Does a live writer hold the ingest? The lock is an flock on `<dir>/lock`: the kernel drops it
 * when its writer dies, so a free lock is a dead (or finished) writer's, and no pid is trusted.
 */
function ingestHeld(dir: string): boolean {
  if (held.has(dir)) return true;
  let fd: number;
  try {
    fd = openSync(join(dir, 'lock'), constants.O_RDWR | constants.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    return !tryFlock(fd);
  } finally {
    unlockAndClose(fd);
  }
}

/** Takes the ingest's lock without waiting; false when a writer holds it or the ingest is gone. */
function tryLockIngest(dir: string): boolean {
  if (held.has(dir)) return false;
  const path = join(dir, 'lock');
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch {
    return false;
  }
  let ok = false;
  try {
    // Held, and still the file at that path (a holder removes it on release).
    ok = tryFlock(fd) && heldFileCurrent(fd, path);
  } finally {
    if (!ok) unlockAndClose(fd);
  }
  if (ok) held.set(dir, fd);
  return ok;
}


/** Waits (asynchronously) for `<dir>/lock`; another writer, in this process or another, is waited for. */
async function lockIngest(dir: string): Promise<void> {
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    mkdirSync(dir, { recursive: true });
    if (tryLockIngest(dir)) return;
    await new Promise((r) => setTimeout(r, wait));
  }
}

function unlockIngest(dir: string): void {
  const fd = held.get(dir);
  held.delete(dir);
  if (fd === undefined) return;
  rmSync(join(dir, 'lock'), { force: true });
  unlockAndClose(fd);
}
