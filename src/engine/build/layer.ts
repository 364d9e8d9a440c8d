import { lstatSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MediaType } from '../../core/images/oci.js';
import type { LayerRecord } from '../../impl/metadata/records.js';
import { writeTx } from '../../impl/metadata/db.js';
import { isOpaque } from '../../impl/layers/fs-util.js';
import { findInLowers } from '../../impl/layers/lowers.js';
import type { ContainerContext } from '../containers/context.js';
import { layerTar } from '../containers/commit.js';
import { lowerDirs, rawLayerChanges, type LayerChange } from '../containers/layer-changes.js';
import { chainIdOf } from '../images/layer-apply.js';
import type { Lease } from '../images/lease.js';

/** A new empty layer above `parent`, held by the build's lease until it is committed or dropped. */
export async function scratchLayer(cc: ContainerContext, lease: Lease, parent: string | null): Promise<string> {
  const ctx = cc.ctx;
  const id = ctx.newId();
  writeTx(ctx.db, () => {
    ctx.records.insertLayer({ id, parent, created: Date.now() });
    lease.layer(id);
  });
  await ctx.driver.createAsync(id, parent);
  return id;
}

/** Removes a layer this build made and no longer wants (its row first made unfindable). */
export function dropLayer(cc: ContainerContext, id: string): void {
  cc.ctx.driver.remove(id);
  writeTx(cc.ctx.db, () => cc.ctx.records.deleteLayerRow(id));
}

/**
 * Turns a layer the build wrote into (a RUN container's or a COPY's) into an image layer in
 * place: its changes, read from the layer's own directory, become the layer tar stored as a
 * blob, and the directory itself is kept, so nothing is unpacked a second time. When another
 * writer completed the same chain first, that layer is used and this one dropped. `listed`: the
 * layer's changes when the caller already walked them.
 */
export async function commitLayer(
  cc: ContainerContext,
  lease: Lease,
  parent: LayerRecord | null,
  id: string,
  listed?: { changes: LayerChange[]; source: string },
): Promise<LayerRecord> {
  const ctx = cc.ctx;
  const { changes, source } = listed ?? (await rawLayerChanges(cc, id));
  const blob = await lease.ingest(layerTar(changes, source) as AsyncIterable<Buffer>);
  const winner = ctx.records.completeLayer(lease.id, id, {
    chainId: chainIdOf(parent?.chainId ?? null, blob.digest),
    diffId: blob.digest,
    blobDigest: blob.digest,
    blobMediaType: MediaType.OciLayer,
    blobSize: blob.size,
    uncompressedSize: blob.size,
    diskSize: await ctx.driver.sizeAsync(id),
  });
  if (winner !== id) dropLayer(cc, id);
  return ctx.records.layer(winner)!;
}

/**
 * Removes from a layer's own directory the mount points the runtime created for a RUN (the
 * /etc files, secrets, cache and bind targets) and the directories that exist only to hold
 * them, so the layer holds what the command wrote and nothing of how it was run. Only empty
 * nodes the lower layers lack are removed; an emptied copy of a lower directory goes too.
 */
export function removeMountPoints(cc: ContainerContext, id: string, destinations: string[]): void {
  const upper = cc.ctx.driver.diffPath(id);
  const lowers = lowerDirs(cc, id);
  const overlay = cc.ctx.driver.name === 'overlay';
  const lowerStat = (rel: string) => {
    if (!overlay) return lowers[0] ? lstatSync(join(lowers[0], rel), { throwIfNoEntry: false }) : undefined;
    const f = findInLowers(lowers, rel);
    return f.kind === 'found' ? f.st : undefined;
  };
  for (const dest of destinations) {
    const parts = dest.split('/').filter((p) => p && p !== '.' && p !== '..');
    for (let n = parts.length; n > 0; n--) {
      const rel = parts.slice(0, n).join('/');
      const abs = join(upper, rel);
      const st = lstatSync(abs, { throwIfNoEntry: false });
      if (!st) continue;
      const below = lowerStat(rel);
      if (st.isDirectory()) {
        if (readdirSync(abs).length > 0) break;
        // vfs layers are full trees: a directory the parent has is not this layer's to remove.
        // On overlay an empty copy-up of a lower directory goes unless the command changed it.
        if (below && (!overlay || isOpaque(abs) || below.mode !== st.mode || below.uid !== st.uid || below.gid !== st.gid)) break;
        rmdirSync(abs);
      } else if (n === parts.length && !below && st.isFile() && st.size === 0) {
        rmSync(abs);
      } else {
        break;
      }
    }
  }
}
