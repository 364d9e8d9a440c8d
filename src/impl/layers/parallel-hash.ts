/**
 * sha256 on a worker thread. Hashing a layer costs about as much CPU as unpacking it, and
 * unpacking is single-threaded, so hashing beside it rather than in front of it is what keeps
 * applyDiff near `tar -x` speed. Input is staged in 1 MiB blocks (one copy, then a zero-copy
 * transfer); layers smaller than one block are hashed inline and never start the worker.
 * One worker serves the whole process; it holds the process open only while a digest is
 * pending.
 *
 * With `writeTo(fd)` the worker also appends each block after the first to that file before
 * hashing it: the content store's ingest writes then cost the main thread one memcpy per
 * chunk instead of a write(2) and a hash (a pull's downloads spent about 1.8 s of main-thread
 * time there, under load). The descriptor must stay open until `digest()` settled.
 */
import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const BLOCK = 1 << 20;
/**
 * Bytes handed to the worker but not yet hashed, beyond which the producer waits. A few blocks
 * keep the worker busy; a pull has four hashes in flight (three downloads and a diffID), and
 * their blocks should all come from the spares below.
 */
const MAX_INFLIGHT = 8 * BLOCK;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { writeSync } = require('node:fs');
const hashes = new Map();
// A hash whose file write failed: its later blocks are dropped, its digest is that error.
const failed = new Map();
parentPort.on('message', (m) => {
  let h = hashes.get(m.id);
  if (!h) hashes.set(m.id, (h = createHash('sha256')));
  if (m.data) {
    if (m.fd !== undefined && !failed.has(m.id)) {
      try {
        for (let off = 0; off < m.data.byteLength; ) off += writeSync(m.fd, m.data, off, m.data.byteLength - off);
      } catch (e) {
        failed.set(m.id, { message: e.message, code: e.code });
      }
    }
    if (!failed.has(m.id)) h.update(m.data);
    // The block goes back to be refilled, sparing allocation and page faults.
    parentPort.postMessage({ id: m.id, ack: m.data.byteLength, wrote: m.fd !== undefined && !failed.has(m.id), block: m.data.buffer }, [m.data.buffer]);
  }
  if (m.final) {
    hashes.delete(m.id);
    const error = failed.get(m.id);
    failed.delete(m.id);
    parentPort.postMessage(error ? { id: m.id, error } : { id: m.id, digest: h.digest('hex') });
  }
});
`;

interface Reply {
  id: number;
  ack?: number;
  /** the acked block was appended to the file */
  wrote?: boolean;
  block?: ArrayBuffer;
  digest?: string;
  error?: { message: string; code?: string };
}

/**
 * Blocks back from the worker, for reuse: writing into fresh memory costs a page fault per
 * 4 KiB, which made the staging copy several times slower than a memcpy. Enough are kept
 * to cover everything in flight while a digest is pending, and trimmed when none is.
 */
const spare: ArrayBuffer[] = [];
const MAX_SPARE = 4 * (MAX_INFLIGHT / BLOCK + 1);
const IDLE_SPARE = 2;

function newBlock(): Buffer {
  const ab = spare.pop();
  return ab ? Buffer.from(ab, 0, BLOCK) : Buffer.allocUnsafeSlow(BLOCK);
}

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, ParallelSha256>();

function sharedWorker(): Worker {
  if (worker) return worker;
  // No execArgv: the worker is plain CommonJS and needs none of the parent's loaders.
  const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
  w.on('message', (r: Reply) => waiting.get(r.id)?.onReply(r));
  w.on('error', (e) => {
    worker = null;
    for (const h of waiting.values()) h.onError(e);
    waiting.clear();
  });
  w.on('exit', () => {
    if (worker === w) worker = null;
  });
  w.unref();
  worker = w;
  return w;
}

export class ParallelSha256 {
  private readonly id = nextId++;
  private stage = newBlock();
  private staged = 0;
  private started = false;
  private inflight = 0;
  private error: unknown = null;
  private onDrain: (() => void) | null = null;
  private onDigest: ((hex: string) => void) | null = null;
  private onFail: ((e: unknown) => void) | null = null;
  /** The file blocks are appended to, once `writeTo` was called. */
  private fd: number | undefined;
  /** Bytes appended to `fd` so far (acknowledged by the worker, or written inline). */
  private appended = 0;
  private onAppended: ((bytes: number) => void) | undefined;

  /**
   * From now on every block is also appended to `fd` (opened for appending) before it is
   * hashed, off the main thread; what was passed to update() before is hashed only (a resumed
   * ingest's earlier part). `onAppended` learns how many bytes the file has gained so far.
   */
  writeTo(fd: number, onAppended?: (bytes: number) => void): void {
    if (this.staged > 0) this.flush(false);
    this.fd = fd;
    this.onAppended = onAppended;
  }

  /** Bytes appended to the file since `writeTo`. */
  get written(): number {
    return this.appended;
  }

  update(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) {
      const n = buf.copy(this.stage, this.staged, off);
      if (this.fd !== undefined && !this.started) {
        // The first block is written here: a small blob is on disk as soon as it is written (a
        // partial download's size shows), and the worker starts only for blobs larger than that.
        for (let at = off; at < off + n; ) at += writeSync(this.fd, buf, at, off + n - at);
        this.appended += n;
        this.onAppended?.(this.appended);
      }
      this.staged += n;
      off += n;
      if (this.staged === BLOCK) this.flush(false);
    }
  }

  /** Resolves once the worker is not too far behind. */
  async drained(): Promise<void> {
    while (this.inflight > MAX_INFLIGHT && !this.error) await new Promise<void>((r) => (this.onDrain = r));
    if (this.error) throw this.error;
  }

  get behind(): boolean {
    return this.inflight > MAX_INFLIGHT;
  }

  /** "sha256:<hex>" of everything passed to update(). */
  async digest(): Promise<string> {
    if (!this.started) {
      return `sha256:${createHash('sha256').update(this.stage.subarray(0, this.staged)).digest('hex')}`;
    }
    const done = new Promise<string>((resolve, reject) => {
      this.onDigest = resolve;
      this.onFail = reject;
    });
    this.flush(true);
    return `sha256:${await done}`;
  }

  /** Forgets this hash (after a failure) so the worker can go idle. */
  dispose(): void {
    if (!this.started || !waiting.has(this.id)) return;
    this.onDigest = () => undefined;
    this.onFail = () => undefined;
    try {
      this.flush(true);
    } catch {
      this.release();
    }
  }

  onReply(r: Reply): void {
    if (r.block && r.block.byteLength === BLOCK && spare.length < MAX_SPARE) spare.push(r.block);
    if (r.ack !== undefined) {
      this.inflight -= r.ack;
      if (r.wrote) {
        this.appended += r.ack;
        this.onAppended?.(this.appended);
      }
      if (this.inflight <= MAX_INFLIGHT) this.wake();
    }
    if (r.error !== undefined) {
      this.onError(Object.assign(new Error(r.error.message), { code: r.error.code }));
      return;
    }
    if (r.digest !== undefined) {
      this.release();
      this.onDigest?.(r.digest);
    }
  }

  onError(e: unknown): void {
    this.error = e;
    this.wake();
    this.release();
    this.onFail?.(e);
  }

  private flush(final: boolean): void {
    if (this.error) throw this.error;
    const w = sharedWorker();
    // Until the worker started, update() wrote the bytes itself.
    const fd = this.started ? this.fd : undefined;
    if (!this.started) {
      this.started = true;
      if (waiting.size === 0) w.ref();
      waiting.set(this.id, this);
    }
    const data = this.staged > 0 ? this.stage.subarray(0, this.staged) : null;
    if (data) {
      // Counted before the transfer, which leaves `data` empty.
      this.inflight += data.length;
      w.postMessage({ id: this.id, data, final, fd }, [data.buffer as ArrayBuffer]);
      this.stage = newBlock();
      this.staged = 0;
    } else {
      w.postMessage({ id: this.id, final });
    }
  }

  private wake(): void {
    const d = this.onDrain;
    this.onDrain = null;
    d?.();
  }

  private release(): void {
    if (!waiting.delete(this.id)) return;
    if (waiting.size === 0) {
      worker?.unref();
      spare.length = Math.min(spare.length, IDLE_SPARE);
    }
  }
}
