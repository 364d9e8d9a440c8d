/**
 * @module archive/oci-dir
 * `oci:DIR[:TAG]`: an OCI image layout kept as a directory. Writing adds to an existing
 * layout the way skopeo does (an entry with the same ref.name is replaced, blobs already
 * there are kept); reading ingests only the blobs the chosen images need.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function isEmptyDir(path: string): boolean {
  try {
    return statSync(path).isDirectory() && readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

/**
 * Writes images into an OCI layout directory so that a failure leaves it as it was. A new
 * layout is built in a sibling temp directory and renamed into place at the end; an existing
 * one gets each blob by temp file + rename and its index.json last, and on abort loses the
 * blobs this writer added. Every blob is checked against its digest before it lands.
 */
export class OciLayoutDirWriter implements LayoutSink {
  private readonly work: string;
  private readonly fresh: boolean;
  private readonly added: string[] = [];

  constructor(private readonly dir: string) {
    this.fresh = !existsSync(dir) || isEmptyDir(dir);
    this.work = this.fresh ? `${dir.replace(/\/+$/, '')}.tmp-${randomUUID()}` : dir;
    mkdirSync(join(this.work, 'blobs/sha256'), { recursive: true });
  }

  hasBlob(digest: string): boolean {
    return existsSync(join(this.work, blobPathOf(digest)));
  }

  async writeBlob(digest: string, size: number, data: Buffer | (() => Readable)): Promise<void> {
    const path = join(this.work, blobPathOf(digest));
    if (Buffer.isBuffer(data)) {
      if (data.length !== size || sha256(data) !== digest) throw invalidArgument(`blob ${digest}: its content does not match its digest`);
      writeFileAtomic(path, data);
    } else {
      const tmp = `${path}.tmp-${randomUUID()}`;
      try {
        const hash = createHash('sha256');
        let got = 0;
        // Network chunks are small; a write per chunk costs more than the copy into 1 MiB runs.
        const counted = async function* (src: AsyncIterable<Buffer>) {
          let run: Buffer[] = [];
          let held = 0;
          for await (const chunk of src) {
            hash.update(chunk);
            got += chunk.length;
            run.push(chunk);
            held += chunk.length;
            if (held >= 1 << 20) {
              yield Buffer.concat(run, held);
              run = [];
              held = 0;
            }
          }
          if (held) yield Buffer.concat(run, held);
        };
        await pipeline(data(), counted, createWriteStream(tmp));
        if (got !== size) throw invalidArgument(`blob ${digest}: got ${got} bytes, expected ${size}`);
        const d = `sha256:${hash.digest('hex')}`;
        if (d !== digest) throw invalidArgument(`blob ${digest}: its content hashes to ${d}`);
        renameSync(tmp, path);
      } finally {
        rmSync(tmp, { force: true });
      }
    }
    if (!this.fresh) this.added.push(path);
  }

  /**
   * Adds `entries` to index.json: an existing entry with the same ref.name is replaced (as
   * skopeo does), and so is an unnamed one for the same manifest; the rest are kept.
   */
  async finish(entries: Descriptor[]): Promise<void> {
    const indexPath = join(this.work, 'index.json');
    let existing: Descriptor[] = [];
    if (existsSync(indexPath)) existing = checkIndex(parseJson(readFileSync(indexPath), indexPath), indexPath).manifests;
    const names = new Set(entries.map((e) => e.annotations?.[REF_NAME]).filter((n) => n !== undefined));
    const unnamed = new Set(entries.filter((e) => e.annotations?.[REF_NAME] === undefined).map((e) => e.digest));
    const kept = existing.filter((e) => {
      const name = e.annotations?.[REF_NAME];
      return name === undefined ? !unnamed.has(e.digest) : !names.has(name);
    });
    if (!existsSync(join(this.work, 'oci-layout'))) writeFileAtomic(join(this.work, 'oci-layout'), OCI_LAYOUT_FILE);
    writeFileAtomic(indexPath, indexJson([...kept, ...entries]));
    if (this.fresh) {
      // rename(2) replaces an empty directory, so a directory made ready for us is fine too.
      renameSync(this.work, this.dir);
    }
  }

  async abort(): Promise<void> {
    if (this.fresh) rmSync(this.work, { recursive: true, force: true });
    else for (const p of this.added) rmSync(p, { force: true });
  }
}

export async function writeOciLayoutDir(dir: string, images: ArchiveImage[], store: ContentStore): Promise<void> {
  const w = new OciLayoutDirWriter(dir);
  try {
    await w.finish(await writeLayoutBlobs(w, images, store));
  } catch (e) {
    await w.abort();
    throw e;
  }
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
