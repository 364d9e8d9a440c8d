import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { invalidArgument } from '../../core/errdefs.js';
import type { LayerRecord } from '../../impl/metadata/records.js';
import { writeTx } from '../../impl/metadata/db.js';
import type { EngineContext } from '../context.js';
import type { Lease } from './lease.js';

export function chainIdOf(parentChain: string | null, diffId: string): string {
  return parentChain === null ? diffId : 'sha256:' + createHash('sha256').update(`${parentChain} ${diffId}`).digest('hex');
}

export interface LayerBlob {
  digest: string;
  mediaType: string;
  size: number;
  /** The diffID the image config promises, when known: lets an existing layer be reused unread. */
  diffId?: string;
}

/** Where the layer's bytes come from when the blob is not (yet) committed in the content store. */
export interface LayerSource {
  /** the blob's bytes as they arrive */
  open(): AsyncIterable<Buffer>;
  /**
   * Settles when the blob itself is stored, its digest verified (a download in flight).
   * The layer is made findable only after it resolved; when it rejects, its error is the
   * one reported, even if unpacking failed first (a corrupted download is a digest mismatch).
   */
  stored: Promise<void>;
}

/**
 * Makes sure the layer `blob` on top of `parent` exists in the layer store and returns it,
 * leased. Identical chains are stored once: a layer already present is reused, and when two
 * writers unpack the same chain at once the first to finish wins and the other drops its copy.
 * The bytes come from the committed blob, or from `source` while it downloads.
 */
export async function ensureLayer(
  ctx: EngineContext,
  lease: Lease,
  parent: LayerRecord | null,
  blob: LayerBlob,
  source?: LayerSource,
): Promise<LayerRecord> {
  const records = ctx.records;
  const driver = ctx.driver;
  if (blob.diffId) {
    const existing = records.leaseLayerByChain(lease.id, chainIdOf(parent?.chainId ?? null, blob.diffId));
    if (existing && driver.exists(existing.id)) return existing;
  }
  const id = ctx.newId();
  writeTx(ctx.db, () => {
    records.insertLayer({ id, parent: parent?.id ?? null, created: Date.now() });
    lease.layer(id);
  });
  const drop = () => {
    driver.remove(id);
    writeTx(ctx.db, () => records.deleteLayerRow(id));
  };
  try {
    driver.create(id, parent?.id ?? null);
    let res;
    try {
      res = source
        ? // The download's digest is checked by the content store (`stored`), not hashed again here.
          await driver.applyDiff(id, Readable.from(source.open(), { objectMode: false }), { compressedDigest: blob.digest })
        : await driver.applyDiff(id, ctx.content.openRead(blob.digest));
    } catch (e) {
      await source?.stored;
      throw e;
    }
    await source?.stored;
    if (res.compressedDigest !== blob.digest) {
      throw invalidArgument(`layer blob ${blob.digest}: content hashes to ${res.compressedDigest}`);
    }
    if (blob.diffId && res.diffId !== blob.diffId) {
      throw invalidArgument(`layer ${blob.digest}: diffID is ${res.diffId}, the image config says ${blob.diffId}`);
    }
    const winner = records.completeLayer(lease.id, id, {
      chainId: chainIdOf(parent?.chainId ?? null, res.diffId),
      diffId: res.diffId,
      blobDigest: blob.digest,
      blobMediaType: blob.mediaType,
      blobSize: blob.size,
      uncompressedSize: res.uncompressedSize,
      diskSize: driver.size(id),
    });
    if (winner !== id) drop();
    return records.layer(winner)!;
  } catch (e) {
    drop();
    throw e;
  }
}
