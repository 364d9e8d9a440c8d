/**
 * @module archive/tar-scan
 * One streaming pass over an image archive: the few top-level metadata files are kept in
 * memory, every other file goes straight into the ContentStore as it streams past (the store
 * hashes it), links are recorded. Which blob is a config or a layer is only known once
 * manifest.json / index.json has been seen, and those usually come last, so every file is
 * treated as a possible blob.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, type Gunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { ContentStore } from '../../core/content/content.js';
import { invalidArgument, isEngineError } from '../../core/errdefs.js';
import { compressionOfBytes, type Compression } from './media-types.js';
import { cleanEntryName, digestOfBlobPath, resolveLinkTarget } from './paths.js';

export interface ArchiveFile {
  digest: string;
  size: number;
  compression: Compression;
  /**
   * sha256 of the gunzipped bytes, for gzip files outside `blobs/` (a docker-archive
   * `layer.tar` may be compressed, and its diff ID must still be checked).
   */
  uncompressedDigest?: string;
}

export interface ArchiveContents {
  meta: Map<string, Buffer>;
  files: Map<string, ArchiveFile>;
  /** link name → archive name it points at */
  links: Map<string, string>;
}

/** Files read into memory, never stored: they describe the archive, they are not content. */
export const META_FILES = new Set(['manifest.json', 'index.json', 'oci-layout', 'repositories']);
const META_LIMIT = 16 << 20;
/** Pre-1.10 Docker per-layer metadata, which manifest.json supersedes. */
const LEGACY_META = /^[a-f0-9]{64}\/(json|VERSION)$/;
const MAX_LINK_HOPS = 16;

type TarEntry = AsyncIterable<unknown> & { header: tar.Header };

function badArchive(e: unknown): unknown {
  if (isEngineError(e)) return e;
  return invalidArgument(`reading image archive: ${e instanceof Error ? e.message : String(e)}`, e);
}

/** Chunks of an entry; a tar that ends mid-entry surfaces here, as the archive's fault. */
async function* chunksOf(entry: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
  const it = entry[Symbol.asyncIterator]();
  for (;;) {
    let r: IteratorResult<unknown>;
    try {
      r = await it.next();
    } catch (e) {
      throw badArchive(e);
    }
    if (r.done) return;
    // tar-stream's streamx types say `unknown`; it hands out Buffers.
    yield r.value as Buffer;
  }
}

/** Resolves on `event` or on an error, never rejects: the caller looks at its own flag. */
function eventOrError(em: Gunzip, event: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      em.off(event, done);
      em.off('error', done);
      resolve();
    };
    em.on(event, done);
    em.on('error', done);
  });
}

/** Hashes what a gunzip stream produces; a corrupt stream just leaves no digest. */
class GunzipHasher {
  private readonly gz: Gunzip = createGunzip();
  private readonly hash = createHash('sha256');
  private failed = false;
  constructor() {
    this.gz.on('data', (c: Buffer) => this.hash.update(c));
    this.gz.on('error', () => (this.failed = true));
  }
  async write(chunk: Buffer): Promise<void> {
    if (!this.failed && !this.gz.write(chunk)) await eventOrError(this.gz, 'drain');
  }
  async end(): Promise<string | undefined> {
    if (!this.failed) {
      const ended = eventOrError(this.gz, 'end');
      this.gz.end();
      await ended;
    }
    return this.failed ? undefined : `sha256:${this.hash.digest('hex')}`;
  }
}

async function ingestEntry(store: ContentStore, name: string, entry: AsyncIterable<unknown>): Promise<ArchiveFile> {
  const named = digestOfBlobPath(name);
  if (named !== undefined && store.has(named)) return verifyOnly(name, named, entry);
  const w = await store.writer(`archive-${randomUUID()}`);
  let committed = false;
  try {
    let head = Buffer.alloc(0);
    let compression: Compression | undefined;
    let gunzip: GunzipHasher | undefined;
    let size = 0;
    for await (const chunk of chunksOf(entry)) {
      size += chunk.length;
      if (compression === undefined) {
        head = Buffer.concat([head, chunk]);
        if (head.length >= 4) {
          compression = compressionOfBytes(head);
          if (compression === 'gzip' && named === undefined) {
            gunzip = new GunzipHasher();
            await gunzip.write(head);
          }
        }
      } else if (gunzip) {
        await gunzip.write(chunk);
      }
      await w.write(chunk);
    }
    compression ??= compressionOfBytes(head);
    const digest = await w.digest();
    if (named !== undefined && digest !== named) {
      throw invalidArgument(`archive blob ${name} does not match its name: its content has digest ${digest}`);
    }
    const out = await w.commit({ digest, size });
    committed = true;
    const file: ArchiveFile = { digest: out.digest, size: out.size, compression };
    const ud = await gunzip?.end();
    if (ud !== undefined) file.uncompressedDigest = ud;
    return file;
  } finally {
    if (!committed) await w.abort();
  }
}

/** The store already has this blob: only check that the archive's copy matches its name. */
async function verifyOnly(name: string, digest: string, entry: AsyncIterable<unknown>): Promise<ArchiveFile> {
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let size = 0;
  for await (const chunk of chunksOf(entry)) {
    if (head.length < 4) head = Buffer.concat([head, chunk.subarray(0, 4)]);
    hash.update(chunk);
    size += chunk.length;
  }
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== digest) throw invalidArgument(`archive blob ${name} does not match its name: its content has digest ${got}`);
  return { digest, size, compression: compressionOfBytes(head) };
}

async function readMeta(name: string, size: number, entry: AsyncIterable<unknown>): Promise<Buffer> {
  if (size > META_LIMIT) throw invalidArgument(`archive file ${name} is ${size} bytes; more than ${META_LIMIT} is not metadata`);
  const parts: Buffer[] = [];
  for await (const chunk of chunksOf(entry)) parts.push(chunk);
  return Buffer.concat(parts);
}

async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of chunksOf(entry)) {
    // discarded
  }
}

/** Reads the whole (uncompressed) tar stream; the caller has already undone any gzip. */
export async function scanArchive(input: Readable, store: ContentStore): Promise<ArchiveContents> {
  const contents: ArchiveContents = { meta: new Map(), files: new Map(), links: new Map() };
  const extract = tar.extract();
  // Keep the pipeline's failure as a value: a rejection nobody awaits yet would crash Node.
  const fed = pipeline(input, extract).then(
    () => undefined,
    (e: unknown) => e,
  );
  const entries = extract[Symbol.asyncIterator]();
  try {
    for (;;) {
      let r: IteratorResult<TarEntry>;
      try {
        r = await entries.next();
      } catch (e) {
        throw badArchive(e);
      }
      if (r.done) break;
      const entry = r.value;
      const h = entry.header;
      const name = cleanEntryName(h.name);
      switch (h.type) {
        case 'directory':
          await drain(entry);
          break;
        case 'symlink':
        case 'link':
          contents.links.set(name, resolveLinkTarget(name, h.linkname ?? '', h.type));
          await drain(entry);
          break;
        case 'file':
        case 'contiguous-file':
          if (META_FILES.has(name)) contents.meta.set(name, await readMeta(name, h.size ?? 0, entry));
          else if (LEGACY_META.test(name)) await drain(entry);
          else contents.files.set(name, await ingestEntry(store, name, entry));
          break;
        default:
          throw invalidArgument(`archive entry "${name}" has type ${h.type ?? 'unknown'}, which no image archive holds`);
      }
    }
  } catch (e) {
    input.destroy();
    extract.destroy();
    await fed;
    throw e;
  }
  const err = await fed;
  if (err !== undefined) throw badArchive(err);
  return contents;
}

/** The file an archive name refers to, following links; InvalidArgument when absent. */
export function lookupFile(contents: ArchiveContents, name: string, what: string): ArchiveFile {
  let cur = cleanEntryName(name);
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    const f = contents.files.get(cur);
    if (f) return f;
    const next = contents.links.get(cur);
    if (next === undefined) throw invalidArgument(`image archive is missing ${what} "${name}"`);
    cur = next;
  }
  throw invalidArgument(`image archive: too many links resolving ${what} "${name}"`);
}
