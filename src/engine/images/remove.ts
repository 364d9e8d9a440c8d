import { conflict } from '../../core/errdefs.js';
import { familiarName } from '../../core/images/reference.js';
import { writeTx } from '../../impl/metadata/db.js';
import type { EngineContext } from '../context.js';
import { collectGarbage, removeBlobsIfUnused, removeLayersIfUnused } from '../gc.js';
import { imageEvent } from './events.js';
import { boolPruneFilter, pruneFilter } from '../prune-filter.js';
import { summarize } from './read.js';
import { resolveImage } from './resolve.js';
import type { ImageDeleteResponseItem, ImagePruneOptions, ImagePruneReport, ImageRemoveOptions } from './types.js';

/**
 * `rmi`: a name only untags while the image has other names; an ID (or the last name)
 * deletes the image, refusing when containers use it or, for an ID, when several names
 * point at it — unless forced. Then the image's layers and blobs that nothing else uses go.
 */
export function removeImage(ctx: EngineContext, input: string, opts: ImageRemoveOptions = {}): ImageDeleteResponseItem[] {
  const records = ctx.records;
  const items: ImageDeleteResponseItem[] = [];
  let imageId = '';
  const deleted = writeTx(ctx.db, () => {
    items.length = 0;
    const { id, name } = resolveImage(records, input);
    imageId = id;
    const img = records.image(id)!;
    if (name && img.names.length > 1) {
      records.removeName(name);
      items.push({ Untagged: familiarName(name) });
      return undefined;
    }
    if (!name && img.names.length > 1 && !opts.force) {
      throw conflict(
        `unable to delete ${id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
      );
    }
    const users = records.containersUsingImage(id);
    if (users.length > 0) {
      if (!opts.force) {
        throw conflict(
          `unable to remove image ${input} (must force) - container ${users[0]!.id.slice(0, 12)} (${users[0]!.name}) is using it`,
        );
      }
      // Docker's forced removal of an image a container uses: untag it, keep the bits.
      for (const n of img.names) {
        records.removeName(n);
        items.push({ Untagged: familiarName(n) });
      }
      return undefined;
    }
    for (const n of img.names) items.push({ Untagged: familiarName(n) });
    for (const d of img.digests) items.push({ Untagged: `${familiarName(d.repo)}@${d.digest}` });
    const layers = records.imageLayerIds(id).reverse();
    const blobs = records.imageBlobs(id);
    records.deleteImageRow(id);
    items.push({ Deleted: id });
    return { layers, blobs };
  });
  // After the commit, so no event tells of a change that was rolled back.
  for (const item of items) imageEvent(ctx, 'Deleted' in item ? 'delete' : 'untag', imageId);
  if (deleted && !opts.noPrune) {
    removeLayersIfUnused(ctx, deleted.layers);
    removeBlobsIfUnused(ctx, deleted.blobs);
  }
  return items;
}

/**
 * `image prune`: dangling images (or, with `all` or `dangling=false`, every image) that no
 * container uses and that match the filters (`until`: created at or before; `label`, `label!`
 * over the image config's labels), then GC.
 */
export async function pruneImages(ctx: EngineContext, opts: ImagePruneOptions = {}): Promise<ImagePruneReport> {
  const f = pruneFilter('images', opts.filters);
  const danglingOnly = !opts.all && boolPruneFilter(f, 'dangling') !== false;
  const all = await summarize(ctx, ctx.records.images());
  const victims = all.filter(
    (s) =>
      s.Containers <= 0 &&
      (!danglingOnly || s.Dangling) &&
      (f.until === undefined || s.Created * 1000 <= f.until) &&
      f.labels(s.Labels),
  );
  const report: ImagePruneReport = { ImagesDeleted: [], SpaceReclaimed: 0 };
  for (const v of victims) {
    try {
      report.ImagesDeleted.push(...removeImage(ctx, v.Id, { force: true }));
    } catch {
      // Removed meanwhile by another process: nothing to do.
    }
  }
  report.SpaceReclaimed = collectGarbage(ctx).bytesReclaimed + victims.reduce((n, v) => n + v.Size - v.SharedSize, 0);
  imageEvent(ctx, 'prune', '', '', { reclaimed: String(report.SpaceReclaimed) });
  return report;
}
