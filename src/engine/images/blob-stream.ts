import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { ContentStore } from '../../core/content/content.js';

/** A stored layer blob as an uncompressed tar stream (docker-archive wants plain tars). */
export function openUncompressed(store: ContentStore, digest: string, mediaType: string): Readable {
  return uncompressedStream(store.openRead(digest), mediaType);
}

/** A layer stream of `mediaType` as a plain tar; an error of `raw` ends it with that error. */
export function uncompressedStream(raw: Readable, mediaType: string): Readable {
  if (mediaType.endsWith('gzip')) {
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    return raw.pipe(gunzip);
  }
  if (mediaType.endsWith('zstd')) return Readable.from(zstdDecompress(raw));
  return raw;
}

async function* zstdDecompress(src: Readable): AsyncGenerator<Buffer> {
  const { Decompress } = await import('fzstd');
  const out: Buffer[] = [];
  const d = new Decompress((chunk: Uint8Array) => out.push(Buffer.from(chunk)));
  for await (const chunk of src as AsyncIterable<Buffer>) {
    d.push(chunk);
    yield* out.splice(0);
  }
  d.push(new Uint8Array(0), true);
  yield* out.splice(0);
}
