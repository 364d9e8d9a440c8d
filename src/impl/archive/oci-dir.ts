/**
 * @module archive/oci-dir
 * `oci:DIR[:TAG]`: an OCI image layout kept as a directory. Writing adds to an existing
 * layout the way skopeo does (an entry with the same ref.name is replaced, blobs already
 * there are kept); reading ingests only the blobs the chosen images need.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ContentStore, Descriptor } from '../../core/content/content.js';
import { invalidArgument, notFound } from '../../core/errdefs.js';
import { checkIndex, parseJson } from './documents.js';
import { checkLayoutFile, loadOciIndex, REF_NAME, type LayoutBlobs, type OciLoadOptions } from './oci-read.js';
import { indexJson, OCI_LAYOUT_FILE, writeLayoutBlobs, type LayoutSink } from './oci-write.js';
import { blobPathOf } from './paths.js';
import type { ArchiveImage, LoadedImage } from './types.js';

/** Same-directory temp file + rename: a reader never sees a half-written file. */
function writeFileAtomic(path: string, data: Buffer): void {
  const tmp = `${path}.tmp-${randomUUID()}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

async function streamFileAtomic(path: string, size: number, src: Readable): Promise<void> {
  const tmp = `${path}.tmp-${randomUUID()}`;
  try {
    await pipeline(src, createWriteStream(tmp));
    const got = statSync(tmp).size;
    if (got !== size) throw invalidArgument(`writing ${path}: got ${got} bytes, expected ${size}`);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

export async function writeOciLayoutDir(dir: string, images: ArchiveImage[], store: ContentStore): Promise<void> {
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  const indexPath = join(dir, 'index.json');
  const sink: LayoutSink = {
    hasBlob: (digest) => existsSync(join(dir, blobPathOf(digest))),
    async writeBlob(digest, size, data) {
      const path = join(dir, blobPathOf(digest));
      if (Buffer.isBuffer(data)) writeFileAtomic(path, data);
      else await streamFileAtomic(path, size, data());
    },
  };
  const entries = await writeLayoutBlobs(sink, images, store);
  let existing: Descriptor[] = [];
  if (existsSync(indexPath)) existing = checkIndex(parseJson(readFileSync(indexPath), indexPath), indexPath).manifests;
  const replaced = new Set(entries.map((e) => e.annotations?.[REF_NAME]).filter((n) => n !== undefined));
  const kept = existing.filter((e) => {
    const name = e.annotations?.[REF_NAME];
    return name === undefined || !replaced.has(name);
  });
  if (!existsSync(join(dir, 'oci-layout'))) writeFileAtomic(join(dir, 'oci-layout'), OCI_LAYOUT_FILE);
  writeFileAtomic(indexPath, indexJson([...kept, ...entries]));
}

/** Copies a layout file into the store, checking it against its descriptor on the way. */
async function ingestVerified(store: ContentStore, path: string, desc: Descriptor, what: string): Promise<void> {
  const w = await store.writer(`oci-dir-${randomUUID()}`);
  let committed = false;
  try {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      if (size > desc.size) throw invalidArgument(`OCI layout ${what} is larger than its descriptor's ${desc.size} bytes`);
      await w.write(chunk);
    }
    const digest = `sha256:${hash.digest('hex')}`;
    if (size !== desc.size) throw invalidArgument(`OCI layout ${what} is ${size} bytes, but its descriptor says ${desc.size}`);
    if (digest !== desc.digest) throw invalidArgument(`OCI layout ${what} has digest ${digest}, but its descriptor says ${desc.digest}`);
    await w.commit({ digest, size });
    committed = true;
  } finally {
    if (!committed) await w.abort();
  }
}

export async function readOciLayoutDir(dir: string, store: ContentStore, opts: OciLoadOptions = {}): Promise<LoadedImage[]> {
  const indexPath = join(dir, 'index.json');
  if (!existsSync(indexPath)) throw notFound(`${dir} is not an OCI image layout: it has no index.json`);
  const layoutPath = join(dir, 'oci-layout');
  checkLayoutFile(existsSync(layoutPath) ? readFileSync(layoutPath) : undefined);
  const blobs: LayoutBlobs = {
    has: (desc) => existsSync(join(dir, blobPathOf(desc.digest))),
    async ensure(desc, what) {
      const stored = store.info(desc.digest);
      if (stored) {
        if (stored.size !== desc.size) throw invalidArgument(`OCI layout ${what}: descriptor size ${desc.size}, but the blob is ${stored.size} bytes`);
        return;
      }
      const path = join(dir, blobPathOf(desc.digest));
      if (!existsSync(path)) throw invalidArgument(`OCI layout ${dir} is missing ${what} (${blobPathOf(desc.digest)})`);
      await ingestVerified(store, path, desc, what);
    },
  };
  return loadOciIndex(readFileSync(indexPath), blobs, store, opts);
}
