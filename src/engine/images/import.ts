import type { Readable } from 'node:stream';
import { MediaType, hostPlatform, type ImageConfig } from '../../core/images/oci.js';
import { crashPoint } from '../../sys/crash-point.js';
import { formatReference, normalizeReference } from '../../core/images/reference.js';
import type { EngineContext } from '../context.js';
import { applyChanges } from './changes.js';
import { commitImage, retryOnLostRace } from './commit.js';
import { imageEvent } from './events.js';
import { ensureLayer } from './layer-apply.js';
import { Lease } from './lease.js';
import type { ImageImportOptions } from './types.js';

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/** `skiff import`: a root filesystem tar (plain, gzip or zstd) becomes a one-layer image. */
export async function importImage(ctx: EngineContext, source: Readable, opts: ImageImportOptions = {}): Promise<string> {
  const names = opts.reference ? [formatReference(normalizeReference(opts.reference))] : [];
  const id = await Lease.with(ctx, async (lease) => {
    let head: Buffer | undefined;
    const sniffed = (async function* () {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        head ??= chunk;
        yield chunk;
      }
    })();
    const blob = await lease.ingest(sniffed);
    crashPoint('import:ingested');
    const mediaType = head?.subarray(0, 2).equals(GZIP_MAGIC)
      ? MediaType.OciLayerGzip
      : head?.subarray(0, 4).equals(ZSTD_MAGIC)
        ? MediaType.OciLayerZstd
        : MediaType.OciLayer;
    return retryOnLostRace(async () => {
      const layer = await ensureLayer(ctx, lease, null, { ...blob, mediaType });
      crashPoint('import:layer');
      const now = new Date().toISOString();
      const platform = { ...hostPlatform(), ...opts.platform };
      const config: ImageConfig = {
        created: now,
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        config: applyChanges({}, opts.changes ?? []),
        rootfs: { type: 'layers', diff_ids: [layer.diffId!] },
        history: [{ created: now, created_by: 'skiff import', ...(opts.message ? { comment: opts.message } : {}) }],
      };
      if (opts.message) config.comment = opts.message;
      return commitImage(ctx, lease, {
        config,
        layers: [layer],
        layerBlobs: [{ mediaType, digest: blob.digest, size: blob.size }],
        names,
      });
    });
  });
  crashPoint('import:committed');
  imageEvent(ctx, 'import', id);
  return id;
}
