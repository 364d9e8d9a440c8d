import type { EngineContext } from './context.js';
import { writeTx } from '../impl/metadata/db.js';

export interface GcReport {
  layersRemoved: number;
  blobsRemoved: number;
  /** partial downloads no live process held */
  ingestsRemoved: number;
  bytesReclaimed: number;
}

/**
 * Removes the given layers (top-down: a child before its parent) if nothing references them.
 * A layer is first retired in one transaction (made unfindable), then its directory goes,
 * then its row: a crash in between leaves an incomplete row that the next GC finishes.
 */
export function removeLayersIfUnused(ctx: EngineContext, ids: string[]): { removed: number; bytes: number } {
  let removed = 0;
  let bytes = 0;
  for (const id of ids) {
    const rec = ctx.records.layer(id);
    if (!rec) continue;
    if (!ctx.records.retireLayer(id)) continue;
    ctx.driver.remove(id);
    writeTx(ctx.db, () => ctx.records.deleteLayerRow(id));
    removed++;
    bytes += rec.diskSize;
  }
  return { removed, bytes };
}

/** removeLayersIfUnused with the trees deleted on libuv's pool: the API service's container removal. */
export async function removeLayersIfUnusedAsync(ctx: EngineContext, ids: string[]): Promise<void> {
  for (const id of ids) {
    if (!ctx.records.layer(id) || !ctx.records.retireLayer(id)) continue;
    await ctx.driver.removeAsync(id);
    writeTx(ctx.db, () => ctx.records.deleteLayerRow(id));
  }
}

/** Deletes blobs no image or live lease references; the check and the unlink share one write lock. */
export function removeBlobsIfUnused(ctx: EngineContext, digests: Iterable<string>): { removed: number; bytes: number } {
  let removed = 0;
  let bytes = 0;
  for (const d of digests) {
    const size = ctx.content.info(d)?.size ?? 0;
    const gone = writeTx(ctx.db, () => {
      if (ctx.records.blobReferenced(d)) return false;
      ctx.content.deleteSync(d);
      return true;
    });
    if (gone) {
      removed++;
      bytes += size;
    }
  }
  return { removed, bytes };
}

/**
 * Mark and sweep over everything: leases of dead processes, abandoned layers (incomplete
 * and unleased), unreferenced complete layers, layer directories with no row, unreferenced
 * blobs, and partial downloads whose writer is gone (a later pull would have resumed them).
 */
export function collectGarbage(ctx: EngineContext): GcReport {
  const records = ctx.records;
  // A lease's flock is held by its writer for the lease's life: free means the writer is gone
  // (a pid could have been reused by now; the kernel's lock cannot).
  for (const l of records.leases()) if (!ctx.locks.busy('lease', l.id)) records.deleteLease(l.id);
  let layersRemoved = 0;
  let bytesReclaimed = 0;
  // Repeat until stable: removing a child can free its parent.
  for (;;) {
    const candidates = [
      ...records.abandonedLayers(),
      ...records.allLayers().filter((l) => l.complete && records.layerUnreferenced(l.id)).map((l) => l.id),
    ];
    if (candidates.length === 0) break;
    let progress = 0;
    for (const id of candidates) {
      const rec = records.layer(id);
      if (!rec) continue;
      if (rec.complete) {
        const r = removeLayersIfUnused(ctx, [id]);
        progress += r.removed;
        layersRemoved += r.removed;
        bytesReclaimed += r.bytes;
      } else {
        ctx.driver.remove(id);
        writeTx(ctx.db, () => {
          if (records.layerUnreferenced(id)) records.deleteLayerRow(id);
        });
        progress++;
        layersRemoved++;
      }
    }
    if (progress === 0) break;
  }
  // Rows are written before their directories, so a directory without a row is garbage.
  // List the directories before the rows: a layer created in between then has both.
  const dirs = ctx.driver.list();
  const known = new Set(records.allLayers().map((l) => l.id));
  for (const id of dirs) {
    if (!known.has(id)) {
      ctx.driver.remove(id);
      layersRemoved++;
    }
  }
  const blobs = removeBlobsIfUnused(
    ctx,
    ctx.content.list().map((b) => b.digest),
  );
  const ingests = ctx.content.pruneIngests();
  return {
    layersRemoved,
    blobsRemoved: blobs.removed,
    ingestsRemoved: ingests.removed,
    bytesReclaimed: bytesReclaimed + blobs.bytes + ingests.bytes,
  };
}
