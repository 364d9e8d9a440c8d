import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeTx } from '../../impl/metadata/db.js';
import { BuildCacheRecords } from '../../impl/metadata/build-cache.js';
import type { EngineContext } from '../context.js';
import { removeBlobsIfUnused, removeLayersIfUnused } from '../gc.js';
import type { BuildState } from './state.js';
import type { BuildCacheEntry, BuildPruneOptions, BuildPruneReport } from './types.js';

function parse(state: string): BuildState | undefined {
  try {
    return JSON.parse(state) as BuildState;
  } catch {
    return undefined;
  }
}

/**
 * The build cache as `system df` shows it: one entry per cached instruction, sized by the layer
 * that instruction made (config-only ones have none), "shared" when an image uses that layer too.
 */
export function buildCacheUsage(ctx: EngineContext): BuildCacheEntry[] {
  const rows = new BuildCacheRecords(ctx.db).list();
  const counts = ctx.records.layerImageCounts();
  const seen = new Set<string>();
  return rows.map((r) => {
    const s = parse(r.state);
    let size = 0;
    // Identical steps of two builds can share one layer: it counts once.
    if (s?.made && !seen.has(s.made)) {
      seen.add(s.made);
      size = ctx.records.layer(s.made)?.diskSize ?? 0;
    }
    return {
      Id: r.key,
      Size: size,
      Shared: !!s?.made && (counts.get(s.made) ?? 0) > 0,
      InUse: false,
      CreatedAt: r.created,
      LastUsedAt: r.lastUsed,
      Description: s?.config.history?.at(-1)?.created_by ?? '',
    };
  });
}

/**
 * `builder prune`: drops cache entries (those last used before `until`, or all), then the
 * layers and blobs only they kept, and, when everything went, the RUN cache mounts.
 */
export function pruneBuildCache(ctx: EngineContext, opts: BuildPruneOptions = {}): BuildPruneReport {
  const cache = new BuildCacheRecords(ctx.db);
  const rows = cache.list().filter((r) => opts.until === undefined || r.lastUsed < opts.until);
  const layers: string[] = [];
  const blobs = new Set<string>();
  for (const r of rows) {
    for (const b of cache.blobs(r.key)) blobs.add(b);
    if (r.topLayer) layers.push(r.topLayer);
  }
  writeTx(ctx.db, () => rows.forEach((r) => cache.delete(r.key)));
  let bytes = 0;
  // Walk each chain down: a layer goes when nothing else (an image, a child, a row) holds it.
  for (const top of new Set(layers)) {
    for (let id: string | null = top; id; ) {
      const parent: string | null = ctx.records.layer(id)?.parent ?? null;
      const r = removeLayersIfUnused(ctx, [id]);
      if (r.removed === 0) break;
      bytes += r.bytes;
      id = parent;
    }
  }
  bytes += removeBlobsIfUnused(ctx, blobs).bytes;
  if (opts.until === undefined) rmSync(join(ctx.root, 'build-cache', 'mounts'), { recursive: true, force: true });
  return { removed: rows.map((r) => r.key), bytesReclaimed: bytes };
}
