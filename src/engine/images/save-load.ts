import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { checkLocalSourceAllowed } from '../../impl/trust/evaluate.js';
import { loadPolicy, pathScopes } from '../../impl/trust/policy.js';
import { invalidArgument } from '../../core/errdefs.js';
import { familiarName } from '../../core/images/reference.js';
import type { ImageConfig, Manifest } from '../../core/images/oci.js';
import { readImageArchive, writeDockerArchive, writeOciArchive } from '../../impl/archive/index.js';
import type { ArchiveImage, ArchiveLayer } from '../../impl/archive/index.js';
import type { LayerRecord } from '../../impl/metadata/records.js';
import type { EngineContext } from '../context.js';
import { openUncompressed } from './blob-stream.js';
import { commitImage, retryOnLostRace } from './commit.js';
import { imageEvent } from './events.js';
import { ensureLayer } from './layer-apply.js';
import { Lease, leasedStore } from './lease.js';
import { imageRecord, readConfig, readManifest } from './read.js';
import { resolveImage } from './resolve.js';
import type { ImageLoadResult, ImageSaveOptions } from './types.js';

/** `save`: several images into one archive; a name given by the user is the only tag saved for it. */
export async function saveImages(
  ctx: EngineContext,
  refs: string[],
  out: Writable,
  opts: ImageSaveOptions = {},
): Promise<void> {
  if (refs.length === 0) throw invalidArgument('save needs at least one image');
  const byId = new Map<string, ArchiveImage>();
  for (const ref of refs) {
    const { id, name } = resolveImage(ctx.records, ref);
    let entry = byId.get(id);
    if (!entry) {
      const img = imageRecord(ctx, id);
      const [manifest, config] = await Promise.all([readManifest(ctx, img), readConfig(ctx, img)]);
      const records = ctx.records.imageLayerIds(id).map((l) => ctx.records.layer(l)!);
      const layers: ArchiveLayer[] = manifest.layers.map((blob, i) => ({
        diffId: config.rootfs.diff_ids[i]!,
        uncompressedSize: records[i]?.uncompressedSize ?? 0,
        blob,
      }));
      entry = { names: [], configDigest: id, manifestDigest: img.manifestDigest, layers };
      byId.set(id, entry);
    }
    if (name && !entry.names.includes(name)) entry.names.push(name);
  }
  const images = [...byId.values()];
  if ((opts.format ?? 'docker-archive') === 'oci-archive') {
    await writeOciArchive(out, images, ctx.content);
  } else {
    await writeDockerArchive(out, images, ctx.content, (l: ArchiveLayer) =>
      openUncompressed(ctx.content, l.blob.digest, l.blob.mediaType),
    );
  }
  for (const id of byId.keys()) imageEvent(ctx, 'save', id);
}

export interface ImageLoadOptions {
  /** policy.json to enforce instead of $SKIFF_SIGNATURE_POLICY, /etc/skiff/policy.json, /etc/containers/policy.json */
  signaturePolicy?: string;
  /** the archive's file, for the oci-archive transport's path scopes (none: standard input) */
  path?: string;
}

/**
 * The signature policy for a load, as Podman applies it to the archive transports: refused
 * before a byte is read when neither transport may be read, else once the archive shows which
 * one it is (the blobs stored by then are removed with the failed load's lease).
 */
function loadPolicyCheck(opts: ImageLoadOptions): ((format: 'docker-archive' | 'oci-archive') => void) | undefined {
  const policy = loadPolicy(opts.signaturePolicy);
  const path = opts.path ? resolve(opts.path) : undefined;
  const what = opts.path ?? 'the archive on standard input';
  const check = (format: 'docker-archive' | 'oci-archive') => checkLocalSourceAllowed(policy, format, path ? pathScopes(format, path) : [], `${format}:${what}`);
  const refusals = (['docker-archive', 'oci-archive'] as const).map((f) => {
    try {
      check(f);
      return undefined;
    } catch (e) {
      return e;
    }
  });
  if (refusals[0] && refusals[1]) throw refusals[0];
  return refusals[0] || refusals[1] ? check : undefined;
}

/** `load`: docker-archive or oci-archive (plain or gzip'd); every image's layers are unpacked. */
export async function loadImages(ctx: EngineContext, input: Readable, opts: ImageLoadOptions = {}): Promise<ImageLoadResult> {
  const allowed = loadPolicyCheck(opts);
  const result = await Lease.with(ctx, async (lease) => {
    const loaded = await readImageArchive(input, leasedStore(ctx, lease), {
      ...(allowed
        ? {
            allowed,
          }
        : {}),
    });
    // A docker-archive whose manifest.json lists nothing would otherwise "succeed" silently.
    if (loaded.length === 0) throw invalidArgument('the archive holds no image: its manifest.json lists none');
    const result: ImageLoadResult = { loaded: [] };
    for (const img of loaded) {
      const manifest: Manifest = img.manifest;
      const config: ImageConfig = img.config;
      if (manifest.layers.length !== config.rootfs.diff_ids.length) {
        throw invalidArgument(
          `image ${img.configDigest}: manifest has ${manifest.layers.length} layers, config lists ${config.rootfs.diff_ids.length}`,
        );
      }
      const id = await retryOnLostRace(async () => {
        const layers: LayerRecord[] = [];
        for (const [i, blob] of manifest.layers.entries()) {
          layers.push(
            await ensureLayer(ctx, lease, layers.at(-1) ?? null, {
              digest: blob.digest,
              mediaType: blob.mediaType,
              size: blob.size,
              diffId: config.rootfs.diff_ids[i]!,
            }),
          );
        }
        const manifestBytes = await ctx.content.readBytes(img.manifestDigest);
        return commitImage(ctx, lease, {
          config: await ctx.content.readBytes(img.configDigest),
          layers,
          layerBlobs: manifest.layers,
          manifest: { bytes: manifestBytes, mediaType: manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json' },
          names: img.names,
        });
      });
      result.loaded.push({ id, names: img.names.map(familiarName) });
    }
    return result;
  });
  for (const { id } of result.loaded) imageEvent(ctx, 'load', id);
  return result;
}
