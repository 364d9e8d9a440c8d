/**
 * sha256 on a worker thread. Hashing a layer costs about as much CPU as unpacking it, and
 * unpacking is single-threaded, so hashing beside it rather than in front of it is what keeps
 * applyDiff near `tar -x` speed. Input is staged in 1 MiB blocks (one copy, then a zero-copy
 * transfer); layers smaller than one block are hashed inline and never start the worker.
 * One worker serves the whole process; it holds the process open only while a digest is
 * pending.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

const BLOCK = 1 << 20;
/** Bytes handed to the worker but not yet hashed, beyond which the producer waits. */
const MAX_INFLIGHT = 32 * BLOCK;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  let h = hashes.get(m.id);
  if (!h) hashes.set(m.id, (h = createHash('sha256')));
  if (m.data) {
    h.update(m.data);
    // The block goes back to be refilled, sparing allocation and page faults.
    parentPort.postMessage({ id: m.id, ack: m.data.byteLength, block: m.data.buffer }, [m.data.buffer]);
  }
  if (m.final) {
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, digest: h.digest('hex') });
  }
});
`;

interface Reply {
  id: number;
  ack?: number;
  block?: ArrayBuffer;
  digest?: string;
}

/**
 * Blocks back from the worker, for reuse: writing into fresh memory costs a page fault per
 * 4 KiB, which made the staging copy several times slower than a memcpy. Enough are kept
 * to cover everything in flight while a digest is pending, and trimmed when none is.
 */
const spare: ArrayBuffer[] = [];
const MAX_SPARE = MAX_INFLIGHT / BLOCK + 2;
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

  update(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) {
      const n = buf.copy(this.stage, this.staged, off);
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
      if (this.inflight <= MAX_INFLIGHT) this.wake();
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
    if (!this.started) {
      this.started = true;
      if (waiting.size === 0) w.ref();
      waiting.set(this.id, this);
    }
    const data = this.staged > 0 ? this.stage.subarray(0, this.staged) : null;
    if (data) {
      // Counted before the transfer, which leaves `data` empty.
      this.inflight += data.length;
      w.postMessage({ id: this.id, data, final }, [data.buffer as ArrayBuffer]);
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
