import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Descriptor } from '../../../core/content/content.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { MediaType } from '../../../core/images/oci.js';
import { uncompressedStream } from '../blob-stream.js';

/**
 * `src` passed through unchanged, failing at the end (or as soon as it runs long) unless it is
 * exactly the blob `desc` names. Whoever consumes it must not make anything visible before
 * the stream has ended without error.
 */
export function verified(src: Readable, desc: Descriptor, what: string, onBytes?: (n: number) => void): Readable {
  const hash = createHash('sha256');
  let size = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > desc.size) return cb(invalidArgument(`${what} ${desc.digest}: more than the ${desc.size} bytes its descriptor gives`));
      hash.update(chunk);
      onBytes?.(size);
      cb(null, chunk);
    },
    flush(cb) {
      const digest = `sha256:${hash.digest('hex')}`;
      if (size !== desc.size) return cb(invalidArgument(`${what} ${desc.digest}: ${size} bytes, its descriptor gives ${desc.size}`));
      if (digest !== desc.digest) return cb(invalidArgument(`${what} ${desc.digest} refused: its content hashes to ${digest}`));
      cb();
    },
  });
  pipeline(src, check).catch(() => undefined);
  return check;
}

/** A stream now for one that `open` produces later (for writers that want a stream synchronously). */
export function deferred(open: () => Promise<Readable>): Readable {
  const out = new PassThrough();
  open().then(
    (src) => pipeline(src, out).catch((e: unknown) => out.destroy(e as Error)),
    (e: unknown) => out.destroy(e as Error),
  );
  return out;
}

export type Conversion = 'gzip' | 'decompress';

const isDocker = (mt: string) => mt.startsWith('application/vnd.docker.');
const compressed = (mt: string) => /(\+|\.)(gzip|zstd)$/.test(mt);

/** What a layer of this media type needs to reach a destination that takes `form`. */
export function conversionFor(mediaType: string, form: 'as-is' | 'compressed' | 'uncompressed'): Conversion | undefined {
  if (form === 'compressed' && !compressed(mediaType)) return 'gzip';
  if (form === 'uncompressed' && compressed(mediaType)) return 'decompress';
  return undefined;
}

export function convertedMediaType(mediaType: string, c: Conversion): string {
  if (c === 'gzip') return isDocker(mediaType) ? MediaType.DockerLayerGzip : MediaType.OciLayerGzip;
  return isDocker(mediaType) ? MediaType.DockerLayer : MediaType.OciLayer;
}

/**
 * Writes a layer converted (gzip'd, or decompressed) to `file` and returns the new blob's digest
 * and size: a registry needs both before the first byte goes out, a tar header the size.
 */
export async function convertToFile(src: Readable, mediaType: string, c: Conversion, file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  if (c === 'gzip') await pipeline(src, createGzip({ level: 6 }), count, createWriteStream(file));
  else await pipeline(uncompressedStream(src, mediaType), count, createWriteStream(file));
  return { digest: `sha256:${hash.digest('hex')}`, size };
}
