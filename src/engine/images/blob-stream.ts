import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { ContentStore } from '../../core/content/content.js';

/** A stored layer blob as an uncompressed tar stream (docker-archive wants plain tars). */
export function openUncompressed(store: ContentStore, digest: string, mediaType: string): Readable {
  const raw = store.openRead(digest);
  if (mediaType.endsWith('gzip')) return raw.pipe(createGunzip());
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
