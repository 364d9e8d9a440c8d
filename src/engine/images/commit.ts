import type { Descriptor } from '../../core/content/content.js';
import { MediaType, type ImageConfig, type Manifest } from '../../core/images/oci.js';
import type { LayerRecord } from '../../impl/metadata/records.js';
import { MissingReference } from '../../impl/metadata/records.js';
import { internal } from '../../core/errdefs.js';
import type { EngineContext } from '../context.js';
import type { Lease } from './lease.js';

export interface CommitImageInput {
  config: ImageConfig | Buffer;
  /** Layers bottom-up, as applied. */
  layers: LayerRecord[];
  /** Blobs as the manifest lists them (same order as layers). */
  layerBlobs: Descriptor[];
  /** The original manifest bytes when the image came with one (load, pull): kept as is. */
  manifest?: { bytes: Buffer; mediaType: string };
  names: string[];
  digests?: { repo: string; digest: string }[];
  /** The image a commit started from (dockerd's Parent). */
  parent?: string | null;
}

/** Writes config and manifest blobs and records the image, all under the caller's lease. */
export async function commitImage(ctx: EngineContext, lease: Lease, input: CommitImageInput): Promise<string> {
  const configBytes = Buffer.isBuffer(input.config) ? input.config : Buffer.from(JSON.stringify(input.config));
  const config = await lease.put(configBytes);
  let manifestBytes: Buffer;
  let manifestMediaType: string;
  if (input.manifest) {
    manifestBytes = input.manifest.bytes;
    manifestMediaType = input.manifest.mediaType;
  } else {
    const m: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: config.digest, size: config.size },
      layers: input.layerBlobs.map((d) => ({ mediaType: d.mediaType, digest: d.digest, size: d.size })),
    };
    manifestBytes = Buffer.from(JSON.stringify(m));
    manifestMediaType = MediaType.OciManifest;
  }
  const manifest = await lease.put(manifestBytes);
  const parsed = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  const created = parsed.created ? Date.parse(parsed.created) : Date.now();
  const blobs = [manifest.digest, config.digest, ...input.layerBlobs.map((d) => d.digest)];
  ctx.records.putImage(
    {
      id: config.digest,
      topLayer: input.layers.at(-1)?.id ?? null,
      layerIds: input.layers.map((l) => l.id),
      manifestDigest: manifest.digest,
      manifestMediaType,
      blobs,
      created: Number.isNaN(created) ? Date.now() : created,
      size: input.layers.reduce((n, l) => n + l.diskSize, 0),
      names: input.names,
      digests: input.digests ?? [],
      parent: input.parent ?? null,
    },
    { layer: (id) => ctx.driver.exists(id), blob: (d) => ctx.content.has(d) },
  );
  return config.digest;
}

/**
 * Runs the part of an image write that references layers and blobs again from the start when
 * a concurrent removal took one of them (rare: it needs an rmi of the same layers at that moment).
 */
export async function retryOnLostRace<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof MissingReference)) throw e;
      if (attempt >= 4) throw internal(`image write kept losing races: ${e.message}`, e);
    }
  }
}
