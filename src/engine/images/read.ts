import { notFound } from '../../core/errdefs.js';
import type { HistoryEntry, ImageConfig, Manifest } from '../../core/images/oci.js';
import { familiarName, familiarRepository } from '../../core/images/reference.js';
import type { ImageRecord } from '../../impl/metadata/records.js';
import type { EngineContext } from '../context.js';
import { configLabels, parsedConfig } from './config-cache.js';
import type { ImageHistoryEntry, ImageInspect, ImageSummary } from './types.js';

export function readConfig(ctx: EngineContext, img: ImageRecord): Promise<ImageConfig> {
  return parsedConfig(ctx, img.id);
}

export async function readManifest(ctx: EngineContext, img: ImageRecord): Promise<Manifest> {
  return JSON.parse((await ctx.content.readBytes(img.manifestDigest)).toString('utf8')) as Manifest;
}

export function repoTags(img: ImageRecord): string[] {
  return img.names.map(familiarName);
}

export function repoDigests(img: ImageRecord): string[] {
  return img.digests.map((d) => `${familiarRepository(d.repo)}@${d.digest}`);
}

export function imageRecord(ctx: EngineContext, id: string): ImageRecord {
  const img = ctx.records.image(id);
  if (!img) throw notFound(`No such image: ${id}`);
  return img;
}

/** Summaries for every image, with Docker's SharedSize (bytes of layers other images also use). */
export async function summarize(ctx: EngineContext, images: ImageRecord[]): Promise<ImageSummary[]> {
  // Whole tables once rather than queries per image: the API service lists 500 images in a few ms.
  const counts = ctx.records.layerImageCounts();
  const layersOf = ctx.records.allImageLayerIds();
  const diskSizes = ctx.records.layerDiskSizes();
  const users = ctx.records.containerCountsByImage();
  const out: ImageSummary[] = [];
  for (const img of images) {
    const labels = await configLabels(ctx, img.id);
    let shared = 0;
    for (const lid of layersOf.get(img.id) ?? []) {
      if ((counts.get(lid) ?? 0) > 1) shared += diskSizes.get(lid) ?? 0;
    }
    out.push({
      Id: img.id,
      ParentId: img.parent ?? '',
      RepoTags: repoTags(img),
      RepoDigests: repoDigests(img),
      Created: Math.floor(img.created / 1000),
      Size: img.size,
      SharedSize: shared,
      VirtualSize: img.size,
      Labels: labels,
      Containers: users.get(img.id) ?? 0,
      Names: img.names,
      Dangling: img.names.length === 0,
    });
  }
  return out;
}

export async function inspectImage(ctx: EngineContext, img: ImageRecord): Promise<ImageInspect> {
  const cfg = await readConfig(ctx, img);
  const layerIds = ctx.records.imageLayerIds(img.id);
  const driver = ctx.driver;
  let graph: Record<string, string> | null = null;
  const top = layerIds.at(-1);
  if (top) {
    const lowers = layerIds.slice(0, -1).reverse().map((l) => driver.diffPath(l));
    graph = driver.name === 'overlay'
      ? { UpperDir: driver.diffPath(top), ...(lowers.length ? { LowerDir: lowers.join(':') } : {}) }
      : { Dir: driver.diffPath(top) };
  }
  return {
    Id: img.id,
    RepoTags: repoTags(img),
    RepoDigests: repoDigests(img),
    Parent: img.parent ?? '',
    Comment: cfg.comment ?? cfg.history?.at(-1)?.comment ?? '',
    Created: cfg.created ?? new Date(img.created).toISOString(),
    DockerVersion: cfg.docker_version ?? '',
    Author: cfg.author ?? '',
    Config: cfg.config ?? {},
    Architecture: cfg.architecture,
    ...(cfg.variant ? { Variant: cfg.variant } : {}),
    Os: cfg.os,
    Size: img.size,
    VirtualSize: img.size,
    GraphDriver: { Name: driver.name, Data: graph },
    RootFS: { Type: cfg.rootfs.type, Layers: cfg.rootfs.diff_ids },
    Metadata: { LastTagTime: new Date(img.added).toISOString() },
    Digest: img.digests[0]?.digest ?? img.manifestDigest,
    ManifestType: img.manifestMediaType,
  };
}

/** `docker history`: newest first; entries with a layer carry its size, the top one the image id. */
export async function imageHistory(ctx: EngineContext, img: ImageRecord): Promise<ImageHistoryEntry[]> {
  const cfg = await readConfig(ctx, img);
  const layers = ctx.records.imageLayerIds(img.id).map((id) => ctx.records.layer(id));
  const history: HistoryEntry[] = cfg.history?.length
    ? cfg.history
    : cfg.rootfs.diff_ids.map(() => ({ created: cfg.created, created_by: '', empty_layer: false }));
  let li = 0;
  const rows: ImageHistoryEntry[] = history.map((h) => {
    const size = h.empty_layer ? 0 : (layers[li++]?.diskSize ?? 0);
    return {
      Id: '<missing>',
      Created: h.created ? Math.floor(Date.parse(h.created) / 1000) : 0,
      CreatedBy: h.created_by ?? '',
      Tags: [],
      Size: size,
      Comment: h.comment ?? '',
    };
  });
  rows.reverse();
  if (rows[0]) {
    rows[0].Id = img.id;
    rows[0].Tags = repoTags(img);
  }
  return rows;
}
