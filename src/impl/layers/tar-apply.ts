/**
 * Applies one OCI/Docker layer tar to a directory in a single streaming pass, hashing the
 * bytes as received (compressed digest) and the uncompressed tar (diffID) on the way.
 * Each chunk is parsed synchronously; the entries it holds are then made in order, regular
 * files' opens, writes and closes on libuv's pool (a busy disk can hold a create or write for
 * hundreds of ms, which must not stop the API service's event loop), the rest in ≤ 4 ms slices.
 */
import { timeSlicer } from '../../core/time-slice.js';
import type { Readable } from 'node:stream';
import type { ApplyResult } from '../../core/layers/driver.js';
import { invalidArgument } from '../../core/errdefs.js';
import { decompressed } from './decompress.js';
import { LayerWriter } from './layer-writer.js';
import type { WhiteoutFormat } from './layer-writer.js';
import { ParallelSha256 } from './parallel-hash.js';
import { TarReader, type TarEntry, type TarSink } from './tar-reader.js';

/** The reader's calls for one chunk, made on the writer afterwards with its async file I/O. */
class Queue implements TarSink {
  private ops: (TarEntry | Buffer | null)[] = [];
  /**
   * The chunks come from our own decompressor, which never writes into a buffer it has handed
   * out (zlib moves on to a fresh one; fzstd's output is copied): a view of them is kept, not a
   * copy (a layer's bytes copied once more, and the garbage, cost a pull about 0.4 s).
   */
  chunksOwned = false;

  begin(entry: TarEntry): void {
    this.ops.push(entry);
  }

  data(buf: Buffer, start: number, end: number): void {
    // Otherwise a copy: the chunk is not ours to hold once the reader has moved on.
    this.ops.push(this.chunksOwned ? buf.subarray(start, end) : Buffer.from(buf.subarray(start, end)));
  }

  end(): void {
    this.ops.push(null);
  }

  async replay(w: LayerWriter, slice: () => Promise<void> | undefined): Promise<void> {
    const ops = this.ops;
    this.ops = [];
    for (const op of ops) {
      if (op === null) await w.endAsync();
      else if (Buffer.isBuffer(op)) await w.dataAsync(op);
      else await w.beginAsync(op);
      await slice();
    }
  }
}

const GiB = 1024 ** 3;
export const DEFAULT_MAX_ENTRY_SIZE = 64 * GiB;
export const DEFAULT_MAX_TOTAL_SIZE = 512 * GiB;

export interface ApplyTarOptions {
  whiteouts: WhiteoutFormat;
  /** Overlay parents' diff dirs, nearest first (for hard links to lower files). */
  lowerDirs?: readonly string[];
  /** Largest single entry accepted (bytes); default 64 GiB. */
  maxEntrySize?: number;
  /** Largest uncompressed tar accepted (bytes); default 512 GiB. */
  maxTotalSize?: number;
  /** The input's digest, verified by the caller: the input is then not hashed here. */
  compressedDigest?: string;
}

export async function applyTar(input: Readable | AsyncIterable<unknown>, root: string, opts: ApplyTarOptions): Promise<ApplyResult> {
  const maxTotal = opts.maxTotalSize ?? DEFAULT_MAX_TOTAL_SIZE;
  const writer = new LayerWriter(root, {
    whiteouts: opts.whiteouts,
    lowerDirs: opts.lowerDirs ?? [],
    maxEntrySize: opts.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE,
  });
  // A download is hashed by the content store as it is written; hashing it here too cost a
  // copy of every byte and the worker's time.
  const compHash = opts.compressedDigest === undefined ? new ParallelSha256() : null;
  let compSize = 0;
  // Only for compressed input; a plain tar's diffID is its compressed digest.
  const diff: { hash: ParallelSha256 | null } = { hash: null };
  let diffSize = 0;
  const queue = new Queue();
  const reader = new TarReader(queue);
  const slice = timeSlicer();

  try {
    const chunks = decompressed(
      input as AsyncIterable<unknown>,
      (c) => {
        compHash?.update(c);
        compSize += c.length;
      },
      (format) => {
        if (format !== 'none') diff.hash = new ParallelSha256();
        queue.chunksOwned = format !== 'none';
      },
    );
    for await (const chunk of chunks) {
      diff.hash?.update(chunk);
      diffSize += chunk.length;
      if (diffSize > maxTotal) {
        throw invalidArgument(`layer is larger than the limit of ${maxTotal} uncompressed bytes`);
      }
      try {
        reader.write(chunk);
      } catch (e) {
        // What came before the fault in the stream is made first, as a synchronous apply did.
        await queue.replay(writer, slice);
        throw e;
      }
      await queue.replay(writer, slice);
      await slice();
      if (compHash?.behind) await compHash.drained();
      if (diff.hash?.behind) await diff.hash.drained();
    }
    reader.end();
  } catch (e) {
    writer.abort();
    compHash?.dispose();
    diff.hash?.dispose();
    throw e;
  }
  writer.finish();
  const [compressedDigest, diffId] = await Promise.all([compHash?.digest() ?? opts.compressedDigest!, diff.hash?.digest()]);
  return {
    diffId: diffId ?? compressedDigest,
    compressedDigest,
    compressedSize: compSize,
    uncompressedSize: diffSize,
  };
}
