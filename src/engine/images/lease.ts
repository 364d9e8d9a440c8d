import { createHash } from 'node:crypto';
import type { ContentStore, ContentWriter, Expected } from '../../core/content/content.js';
import { invalidArgument } from '../../core/errdefs.js';
import { removeBlobsIfUnused, removeLayersIfUnused } from '../gc.js';
import type { EngineContext } from '../context.js';
import type { HeldLock } from '../../impl/locks/lock-manager.js';
import { writeTx } from '../../impl/metadata/db.js';

/**
 * A writer's claim on the blobs and layers it is about to reference. Garbage collection
 * never removes what a live lease names, and a claim is always taken before the writer
 * checks that the thing exists, so a concurrent `rmi` cannot delete it in between.
 */
export class Lease {
  readonly id: string;
  /** Blobs this writer created: on failure, those nothing else took up are removed. */
  private readonly written = new Set<string>();
  /** Layers this writer claimed, in order: on failure, the unreferenced ones go (top first). */
  private readonly layers: string[] = [];
  /** Held as long as the lease: GC drops a lease whose lock is free (its process died). */
  private readonly lock: HeldLock;
  private constructor(private readonly ctx: EngineContext) {
    this.id = ctx.newId();
    this.lock = ctx.locks.tryLock('lease', this.id)!;
    ctx.records.createLease(this.id);
  }

  static async with<T>(ctx: EngineContext, fn: (lease: Lease) => Promise<T>): Promise<T> {
    const lease = new Lease(ctx);
    try {
      return await fn(lease);
    } catch (e) {
      ctx.records.deleteLease(lease.id);
      removeLayersIfUnused(ctx, [...lease.layers].reverse());
      removeBlobsIfUnused(ctx, lease.written);
      throw e;
    } finally {
      ctx.records.deleteLease(lease.id);
      lease.lock.release({ unlink: true });
    }
  }

  /** `digest` was written by this writer: removed on failure unless something else took it up. */
  created(digest: string): void {
    this.written.add(digest);
  }

  blob(digest: string): void {
    writeTx(this.ctx.db, () => this.ctx.records.leaseRef(this.id, 'blob', digest));
  }

  layer(id: string): void {
    this.ctx.records.leaseRef(this.id, 'layer', id);
    this.layers.push(id);
  }

  /** Streams into the content store, claiming the digest before the blob becomes visible. */
  async ingest(stream: AsyncIterable<Buffer>, expected?: Expected): Promise<{ digest: string; size: number }> {
    const content = this.ctx.content;
    if (expected?.digest) {
      this.blob(expected.digest);
      if (content.has(expected.digest)) {
        for await (const _ of stream) void _;
        return { digest: expected.digest, size: content.info(expected.digest)!.size };
      }
    }
    const w = await content.writer(`lease-${this.id}-${this.ctx.newId()}`);
    try {
      for await (const chunk of stream) await w.write(chunk);
      const digest = await w.digest();
      this.blob(digest);
      if (!content.has(digest)) this.written.add(digest);
      return await w.commit(expected);
    } catch (e) {
      await w.abort();
      throw e;
    }
  }

  async put(data: Buffer): Promise<{ digest: string; size: number }> {
    const digest = 'sha256:' + createHash('sha256').update(data).digest('hex');
    this.blob(digest);
    if (!this.ctx.content.has(digest)) this.written.add(digest);
    return this.ctx.content.put(data);
  }
}

/**
 * The content store seen through a lease: every blob written through it is claimed before it
 * becomes visible. For code that takes a plain ContentStore (archive readers).
 */
export function leasedStore(ctx: EngineContext, lease: Lease): ContentStore {
  const base = ctx.content;
  return {
    root: base.root,
    has: (d) => {
      lease.blob(d);
      return base.has(d);
    },
    info: (d) => base.info(d),
    blobPath: (d) => base.blobPath(d),
    openRead: (d, start) => base.openRead(d, start),
    readBytes: (d) => base.readBytes(d),
    list: () => base.list(),
    delete: (d) => base.delete(d),
    ingest: (_ref, stream, expected) => lease.ingest(stream, expected),
    put: async (data, expected) => {
      const r = await lease.put(data);
      if (expected?.digest && expected.digest !== r.digest) {
        throw invalidArgument(`blob digest mismatch: expected ${expected.digest}, got ${r.digest}`);
      }
      return r;
    },
    writer: async (ref): Promise<ContentWriter> => {
      const w = await base.writer(ref);
      return {
        offset: w.offset,
        write: (c) => w.write(c),
        digest: () => w.digest(),
        abort: () => w.abort(),
        release: () => w.release(),
        commit: async (expected) => {
          const digest = await w.digest();
          lease.blob(digest);
          const existed = base.has(digest);
          const r = await w.commit(expected);
          // An archive's blobs come through here: a load that fails (or is refused) takes them away.
          if (!existed) lease.created(digest);
          return r;
        },
      };
    },
  };
}
