import type { ContentWriter, WrittenReader } from '../../core/content/content.js';

/**
 * The blob cannot be followed (the download started over after this reader had consumed part
 * of it, or the store's writers keep no file): read the committed blob instead.
 */
export class LiveBlobUnavailable extends Error {}

const READ_BLOCK = 1 << 20;

interface Waiter {
  pos: number;
  generation: number;
  resolve: (chunk: Buffer | null) => void;
}

/**
 * A blob being downloaded into the content store, readable while it arrives, so a layer is
 * unpacked during its download rather than after it. The reader starts at byte 0, reading
 * what the ingest already holds (a resumed part, or bytes that came while it was busy) from
 * the ingest file; once caught up it is handed each chunk as the download writes it, so
 * nothing is buffered beyond what is on disk. It ends after the download has committed the
 * blob (digest verified) and fails when the download fails. Nothing read here is trusted:
 * the layer it feeds is made findable only after the blob's digest matched.
 *
 * One reader per blob. The download side calls `attach` for each writer it opens (again
 * when the registry ignored a Range and it starts over), `wrote` after each chunk is
 * written, then `finish` or `fail`. A writer that lands its bytes on disk later than `write`
 * returns (`watchWritten`) tells when the file has them; the reader reads the file only that far.
 */
export class LiveBlob {
  private writer: ContentWriter | null = null;
  /** Bytes handed to the writer (by `wrote`), where the next chunk starts. */
  private held = 0;
  /** Bytes the ingest file holds: readable through the writer's `openWritten`. */
  private onDisk = 0;
  private generation = 0;
  private state: 'open' | 'done' | 'failed' = 'open';
  private error: unknown = null;
  private waiter: Waiter | null = null;
  private claimed = false;

  /** True for the first caller only: the blob has one reader. */
  claim(): boolean {
    if (this.claimed) return false;
    this.claimed = true;
    return true;
  }

  attach(w: ContentWriter): void {
    this.writer = w;
    this.held = w.offset;
    this.onDisk = w.written ?? w.offset;
    this.generation++;
    w.watchWritten?.((bytes) => {
      if (this.writer !== w) return;
      this.onDisk = bytes;
      this.wake(null);
    });
    this.wake(null);
  }

  wrote(chunk: Buffer): void {
    const before = this.held;
    this.held += chunk.length;
    if (!this.writer?.watchWritten) this.onDisk = this.held;
    const w = this.waiter;
    if (w && w.generation === this.generation && w.pos === before) {
      this.waiter = null;
      w.resolve(chunk);
    } else this.wake(null);
  }

  finish(): void {
    if (this.state !== 'open') return;
    this.state = 'done';
    this.wake(null);
  }

  fail(e: unknown): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.error = e;
    this.wake(null);
  }

  private wake(chunk: Buffer | null): void {
    const w = this.waiter;
    this.waiter = null;
    w?.resolve(chunk);
  }

  async *read(): AsyncGenerator<Buffer> {
    let pos = 0;
    let generation = 0;
    let file: WrittenReader | null = null;
    try {
      for (;;) {
        if (this.state === 'failed') throw this.error;
        if (generation !== this.generation) {
          if (pos > 0) throw new LiveBlobUnavailable('the download started over');
          generation = this.generation;
          file?.close();
          const w = this.writer!;
          if (!w.openWritten) throw new LiveBlobUnavailable('the content store cannot read an ingest in progress');
          // Opened now, while the ingest file is where the writer left it.
          file = w.openWritten();
        }
        if (pos < this.onDisk && file) {
          const buf = Buffer.allocUnsafe(Math.min(this.onDisk - pos, READ_BLOCK));
          const n = file.read(buf, pos);
          if (n === 0) throw new Error(`ingest file ends at ${pos} of the ${this.onDisk} bytes written`);
          pos += n;
          yield n === buf.length ? buf : buf.subarray(0, n);
          continue;
        }
        if (this.state === 'done') return;
        const chunk = await new Promise<Buffer | null>((resolve) => (this.waiter = { pos, generation, resolve }));
        if (chunk) {
          pos += chunk.length;
          yield chunk;
        }
      }
    } finally {
      this.waiter = null;
      file?.close();
    }
  }
}
