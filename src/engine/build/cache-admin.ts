import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeTx } from '../../impl/metadata/db.js';
import { BuildCacheRecords } from '../../impl/metadata/build-cache.js';
import type { EngineContext } from '../context.js';
import { removeBlobsIfUnused, removeLayersIfUnused } from '../gc.js';
import type { BuildState } from './state.js';
import { invalidArgument } from '../../core/errdefs.js';
import { parseUntil, pruneFilter } from '../prune-filter.js';
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
 * dockerd's (builder-next) reading of the build cache filters: one value per key; `until` (or its
 * old name `unused-for`) keeps what was used since; `id` a regular expression, `type`, `description`
 * equal; `inuse`, `shared`, `private` properties that must hold ("false"/"0": must not).
 * Entries are `regular` records, the RUN cache mounts `exec.cachemount` ones, never in use
 * between builds, and carry no labels (dockerd accepts `label` and ignores it; here `label=`
 * selects nothing, so `docker system prune --filter label=…` keeps the cache). `parent` is
 * refused: entries do not record their parent's key.
 */
interface CacheSelector {
  row(e: BuildCacheEntry): boolean;
  mounts: boolean;
  until?: number;
}

function cacheSelector(opts: BuildPruneOptions): CacheSelector {
  const f = pruneFilter('build', opts.filters);
  const one = (k: string): string | undefined => {
    const v = f.filters.get(k);
    if (v && v.length > 1) throw invalidArgument('filters expect only one value');
    return v?.[0];
  };
  if (f.filters.has('until') && f.filters.has('unused-for')) throw invalidArgument('conflicting filters: "until" and "unused-for"');
  const unusedFor = one('unused-for');
  const until = opts.until ?? f.until ?? (unusedFor !== undefined ? parseUntil(unusedFor) : undefined);
  const id = one('id');
  let idRe: RegExp | undefined;
  if (id !== undefined) {
    try {
      idRe = new RegExp(id);
    } catch (e) {
      throw invalidArgument(`invalid filter 'id=${id}': ${(e as Error).message}`);
    }
  }
  const type = one('type');
  const description = one('description');
  const flag = (k: string): boolean | undefined => {
    const v = one(k);
    if (v === undefined) return undefined;
    return !['false', '0'].includes(v);
  };
  const inuse = flag('inuse');
  const shared = flag('shared');
  const priv = flag('private');
  const props = (e: Pick<BuildCacheEntry, 'Id' | 'Description' | 'InUse' | 'Shared'>) =>
    f.labels({}) &&
    (!idRe || idRe.test(e.Id)) &&
    (description === undefined || e.Description === description) &&
    (inuse === undefined || e.InUse === inuse) &&
    (shared === undefined || e.Shared === shared) &&
    (priv === undefined || !e.Shared === priv);
  return {
    ...(until !== undefined ? { until } : {}),
    row: (e) => (type === undefined || type === 'regular') && (until === undefined || e.LastUsedAt < until) && props(e),
    // The mounts record no use time: an `until` keeps them.
    mounts:
      (type === undefined || type === 'exec.cachemount') &&
      until === undefined &&
      id === undefined &&
      props({ Id: '', Description: description ?? '', InUse: false, Shared: false }),
  };
}

/**
 * `builder prune`: drops the cache entries the filters select (all without), then the layers
 * and blobs only they kept, and the RUN cache mounts when selected.
 */
export function pruneBuildCache(ctx: EngineContext, opts: BuildPruneOptions = {}): BuildPruneReport {
  const sel = cacheSelector(opts);
  const cache = new BuildCacheRecords(ctx.db);
  const chosen = new Set(buildCacheUsage(ctx).filter((e) => sel.row(e)).map((e) => e.Id));
  const rows = cache.list().filter((r) => chosen.has(r.key));
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
  if (sel.mounts) rmSync(join(ctx.root, 'build-cache', 'mounts'), { recursive: true, force: true });
  return { removed: rows.map((r) => r.key), bytesReclaimed: bytes };
}
