import type { EngineContext } from '../context.js';
import { summarize } from '../images/read.js';
import { volumeUsage } from '../volumes/ops.js';
import { buildCacheUsage } from '../build/cache-admin.js';
import type { BuildCacheEntry } from '../build/types.js';
import type { ContainerSummary } from '../containers/types.js';

export interface DiskUsageImage {
  Id: string;
  RepoTags: string[];
  Created: number;
  Size: number;
  SharedSize: number;
  UniqueSize: number;
  Containers: number;
}

export interface DiskUsage {
  /** Bytes on disk of all layers (each stored once). */
  LayersSize: number;
  Images: DiskUsageImage[];
  /** listed with their sizes (SizeRw, SizeRootFs) */
  Containers: ContainerSummary[];
  Volumes: { Name: string; Size: number; RefCount: number }[];
  BuildCache: BuildCacheEntry[];
  /** Σ over layers of size × (images using it − 1): what sharing saves against unshared copies. */
  SharingSavings: number;
  /** Bytes of content-store blobs (compressed layers, manifests, configs). */
  BlobsSize: number;
  /**
   * Ingest files of the content store (`content/ingest`): downloads in progress (Active, held by
   * a live process) and the parts failed or killed pulls left for a resume, which `image prune`
   * and `system prune` remove (Reclaimable). Docker and Podman have no such row.
   */
  PartialDownloads: { Count: number; Active: number; Size: number; Reclaimable: number };
}

export async function diskUsage(ctx: EngineContext, containers: ContainerSummary[] = []): Promise<DiskUsage> {
  const records = ctx.records;
  const summaries = await summarize(ctx, records.images());
  const counts = records.layerImageCounts();
  let layersSize = 0;
  let savings = 0;
  for (const l of records.allLayers()) {
    if (!l.complete) continue;
    layersSize += l.diskSize;
    const n = counts.get(l.id) ?? 0;
    if (n > 1) savings += l.diskSize * (n - 1);
  }
  return {
    LayersSize: layersSize,
    Images: summaries.map((s) => ({
      Id: s.Id,
      RepoTags: s.RepoTags,
      Created: s.Created,
      Size: s.Size,
      SharedSize: s.SharedSize,
      UniqueSize: s.Size - s.SharedSize,
      Containers: s.Containers,
    })),
    Containers: containers,
    Volumes: await volumeUsage(ctx),
    BuildCache: buildCacheUsage(ctx),
    SharingSavings: savings,
    BlobsSize: ctx.content.list().reduce((n, b) => n + b.size, 0),
    PartialDownloads: partialDownloads(ctx),
  };
}

function partialDownloads(ctx: EngineContext): DiskUsage['PartialDownloads'] {
  const all = ctx.content.ingests();
  const idle = all.filter((i) => !i.active);
  return {
    Count: all.length,
    Active: all.length - idle.length,
    Size: all.reduce((n, i) => n + i.size, 0),
    Reclaimable: idle.reduce((n, i) => n + i.size, 0),
  };
}
