/**
 * Layer blobs arrive plain, gzip- or zstd-compressed; which one is told by the first bytes,
 * not by the media type, because registries and tarballs mislabel them.
 */
import { Readable, Transform, pipeline } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { invalidArgument } from '../../core/errdefs.js';

export type Compression = 'none' | 'gzip' | 'zstd';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** fzstd's push decoder as a Node transform. */
class ZstdDecompress extends Transform {
  private readonly dec = new Decompress((chunk) => {
    // fzstd may hand out views of buffers it goes on using; copy before passing them on.
    if (chunk.length > 0) this.push(Buffer.from(chunk));
  });

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.dec.push(chunk);
      cb();
    } catch (e) {
      cb(invalidArgument(`zstd layer data: ${(e as Error).message}`, e));
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.dec.push(new Uint8Array(0), true);
      cb();
    } catch (e) {
      cb(invalidArgument(`zstd layer data is truncated: ${(e as Error).message}`, e));
    }
  }
}

function toBuffer(c: unknown): Buffer {
  if (Buffer.isBuffer(c)) return c;
  if (c instanceof Uint8Array) return Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  if (typeof c === 'string') return Buffer.from(c);
  throw invalidArgument('layer stream yielded something that is not bytes');
}

/**
 * Yields the uncompressed bytes of `input`, calling `onRaw` with every chunk as received
 * (for the compressed digest) before it is decompressed. `onFormat` learns the format.
 */
export async function* decompressed(
  input: AsyncIterable<unknown>,
  onRaw: (chunk: Buffer) => void,
  onFormat?: (c: Compression) => void,
): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLen = 0;
  let ended = false;
  while (headLen < 4) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    const c = toBuffer(r.value);
    onRaw(c);
    head.push(c);
    headLen += c.length;
  }
  const first = head.length === 1 ? head[0]! : Buffer.concat(head);
  const kind = detectCompression(first);
  onFormat?.(kind);

  async function* raw(): AsyncGenerator<Buffer> {
    try {
      if (first.length > 0) yield first;
      if (ended) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        const c = toBuffer(r.value);
        onRaw(c);
        yield c;
      }
    } finally {
      if (!ended) await it.return?.();
    }
  }

  if (kind === 'none') {
    yield* raw();
    return;
  }
  const dec =
    kind === 'gzip' ? createGunzip({ chunkSize: 256 * 1024 }) : new ZstdDecompress({ readableHighWaterMark: 256 * 1024 });
  const out = pipeline(Readable.from(raw(), { objectMode: false }), dec, () => {});
  try {
    for await (const c of out) yield c as Buffer;
  } catch (e) {
    if (kind === 'gzip' && (e as { code?: string }).code?.startsWith('Z_')) {
      throw invalidArgument(`gzip layer data: ${(e as Error).message}`, e);
    }
    throw e;
  }
}
