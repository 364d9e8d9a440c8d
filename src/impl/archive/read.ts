/**
 * @module archive/read
 * `skiff load`: one pass over a docker-archive or oci-archive stream (gzip'd or not), with
 * the format decided by what the archive turned out to hold.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ContentStore, Descriptor } from '../../core/content/content.js';
import { invalidArgument } from '../../core/errdefs.js';
import { loadDockerArchive } from './docker-read.js';
import { compressionOfBytes } from './media-types.js';
import { checkLayoutFile, loadOciIndex, type LayoutBlobs, type OciLoadOptions } from './oci-read.js';
import { blobPathOf } from './paths.js';
import { scanArchive, type ArchiveContents } from './tar-scan.js';
import type { LoadedImage } from './types.js';

/** The first `n` bytes of a stream, and a stream that still yields all of it. */
async function peek(input: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const it: AsyncIterator<Buffer> = input[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const r = await it.next();
    if (r.done) break;
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    seen.push(chunk);
    have += chunk.length;
  }
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => it };
  async function* all(): AsyncGenerator<Buffer> {
    yield* seen;
    yield* rest;
  }
  return { head: Buffer.concat(seen).subarray(0, n), stream: Readable.from(all(), { objectMode: false }) };
}

async function decompressed(input: Readable): Promise<Readable> {
  const { head, stream } = await peek(input, 4);
  switch (compressionOfBytes(head)) {
    case 'gzip': {
      const gunzip = createGunzip();
      // The scan sees gunzip's errors as the archive's; this promise only must not go unheard.
      pipeline(stream, gunzip).catch(() => undefined);
      return gunzip;
    }
    case 'zstd':
      stream.destroy();
      throw invalidArgument('zstd-compressed image archives are not supported: decompress it first');
    default:
      return stream;
  }
}

function archiveBlobs(contents: ArchiveContents, store: ContentStore): LayoutBlobs {
  const fileOf = (desc: Descriptor) => contents.files.get(blobPathOf(desc.digest));
  return {
    has: (desc) => fileOf(desc) !== undefined,
    async ensure(desc, what) {
      const f = fileOf(desc);
      // Its name was checked against its content while it streamed in.
      if (!f) throw invalidArgument(`oci-archive is missing ${what} (${blobPathOf(desc.digest)})`);
      if (f.size !== desc.size) {
        throw invalidArgument(`oci-archive ${what} is ${f.size} bytes, but its descriptor says ${desc.size}`);
      }
      if (!store.has(desc.digest)) throw invalidArgument(`oci-archive ${what} did not reach the store`);
    },
  };
}

/**
 * Reads a docker-archive or oci-archive, storing its blobs as they stream past, and returns
 * the images it holds (docker-archive when it has manifest.json, as Docker 25+ archives
 * carry both). Broken or hostile archives fail with InvalidArgument. `opts.refName` applies to
 * oci-archives only.
 */
export async function readImageArchive(
  input: Readable,
  store: ContentStore,
  opts: OciLoadOptions & { allowed?: (format: 'docker-archive' | 'oci-archive') => void } = {},
): Promise<LoadedImage[]> {
  const contents = await scanArchive(await decompressed(input), store);
  if (contents.meta.has('manifest.json')) {
    opts.allowed?.('docker-archive');
    return loadDockerArchive(contents, store);
  }
  const index = contents.meta.get('index.json');
  if (index !== undefined) {
    opts.allowed?.('oci-archive');
    checkLayoutFile(contents.meta.get('oci-layout'));
    return loadOciIndex(index, archiveBlobs(contents, store), store, opts);
  }
  throw invalidArgument('not an image archive: it has neither manifest.json (docker-archive) nor index.json (oci-archive)');
}
