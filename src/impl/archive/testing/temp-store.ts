// A small ContentStore for the archive tests, so they do not depend on the real store's
// evolving implementation: blobs are files under a temp dir, ingests are held in memory.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { BlobInfo, ContentStore, ContentWriter, Expected } from '../../../core/content/content.js';
import { parseDigest } from '../../../core/content/digest.js';
import { invalidArgument, notFound } from '../../../core/errdefs.js';

export class TempContentStore implements ContentStore {
  readonly root: string;
  /** Refs of ingests started and neither committed nor aborted: tests check none leak. */
  readonly openIngests = new Set<string>();

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'skiff-archive-store-'));
    mkdirSync(join(this.root, 'blobs/sha256'), { recursive: true });
  }

  blobPath(digest: string): string {
    return join(this.root, 'blobs/sha256', parseDigest(digest).hex);
  }

  has(digest: string): boolean {
    return existsSync(this.blobPath(digest));
  }

  info(digest: string): BlobInfo | undefined {
    if (!this.has(digest)) return undefined;
    const st = statSync(this.blobPath(digest));
    return { digest, size: st.size, createdAt: st.mtimeMs };
  }

  openRead(digest: string, start = 0): Readable {
    if (!this.has(digest)) throw notFound(`blob ${digest}: not found`);
    return createReadStream(this.blobPath(digest), { start });
  }

  async readBytes(digest: string): Promise<Buffer> {
    if (!this.has(digest)) throw notFound(`blob ${digest}: not found`);
    return readFile(this.blobPath(digest));
  }

  async writer(ref: string): Promise<ContentWriter> {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    this.openIngests.add(ref);
    const finish = () => {
      done = true;
      this.openIngests.delete(ref);
    };
    return {
      offset: 0,
      write: async (chunk) => {
        if (done) throw new Error(`ingest ${ref} is closed`);
        hash.update(chunk);
        chunks.push(chunk);
        size += chunk.length;
      },
      digest: async () => `sha256:${hash.copy().digest('hex')}`,
      release: async () => finish(),
      commit: async (expected?: Expected) => {
        const digest = `sha256:${hash.copy().digest('hex')}`;
        finish();
        if (expected?.size !== undefined && expected.size !== size) {
          throw invalidArgument(`ingest ${ref}: size ${size}, expected ${expected.size}`);
        }
        if (expected?.digest !== undefined && expected.digest !== digest) {
          throw invalidArgument(`ingest ${ref}: digest ${digest}, expected ${expected.digest}`);
        }
        if (!this.has(digest)) writeFileSync(this.blobPath(digest), Buffer.concat(chunks));
        return { digest, size };
      },
      abort: async () => finish(),
    };
  }

  async ingest(ref: string, stream: AsyncIterable<Buffer>, expected?: Expected): Promise<{ digest: string; size: number }> {
    const w = await this.writer(ref);
    try {
      for await (const chunk of stream) await w.write(chunk);
    } catch (e) {
      await w.abort();
      throw e;
    }
    return w.commit(expected);
  }

  async put(data: Buffer, expected?: Expected): Promise<{ digest: string; size: number }> {
    return this.ingest(`put-${createHash('sha256').update(data).digest('hex')}`, Readable.from([data]), expected);
  }

  async delete(digest: string): Promise<void> {
    rmSync(this.blobPath(digest), { force: true });
  }

  list(): BlobInfo[] {
    return readdirSync(join(this.root, 'blobs/sha256')).map((hex) => this.info(`sha256:${hex}`)!);
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
