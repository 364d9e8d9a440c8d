/**
 * Image configs kept in memory per engine context. A config is content-addressed by the image id,
 * so what was read once never goes stale. The API service reads them on every `images` (each
 * image's labels), image inspect and create: 500 images were 500 file reads and parses per list,
 * and each read is four trips through libuv's pool that a loaded machine makes slow.
 */
import type { ImageConfig } from '../../core/images/oci.js';
import type { EngineContext } from '../context.js';

type Labels = Record<string, string>;

interface Cache {
  bytes: Map<string, Buffer>;
  size: number;
  labels: Map<string, Labels>;
}

// Configs are a few KiB: this keeps thousands; beyond it the cache starts again.
const MAX_BYTES = 16 << 20;
const MAX_LABEL_ENTRIES = 20_000;
const caches = new WeakMap<EngineContext, Cache>();

function cacheOf(ctx: EngineContext): Cache {
  let c = caches.get(ctx);
  if (!c) caches.set(ctx, (c = { bytes: new Map(), size: 0, labels: new Map() }));
  return c;
}

/** The bytes of the image config blob `digest` (the image id). */
export async function configBytes(ctx: EngineContext, digest: string): Promise<Buffer> {
  const cache = cacheOf(ctx);
  const known = cache.bytes.get(digest);
  if (known) return known;
  const bytes = await ctx.content.readBytes(digest);
  if (cache.size + bytes.length > MAX_BYTES) {
    cache.bytes.clear();
    cache.size = 0;
  }
  cache.bytes.set(digest, bytes);
  cache.size += bytes.length;
  return bytes;
}

/** The parsed config of image `id` (the caller's own copy: it may change it). */
export async function parsedConfig(ctx: EngineContext, id: string): Promise<ImageConfig> {
  return JSON.parse((await configBytes(ctx, id)).toString('utf8')) as ImageConfig;
}

/** The labels of image `id`'s config (a copy the caller may change). */
export async function configLabels(ctx: EngineContext, id: string): Promise<Labels> {
  const cache = cacheOf(ctx);
  let labels = cache.labels.get(id);
  if (!labels) {
    labels = (await parsedConfig(ctx, id)).config?.Labels ?? {};
    if (cache.labels.size >= MAX_LABEL_ENTRIES) cache.labels.clear();
    cache.labels.set(id, labels);
  }
  return { ...labels };
}
