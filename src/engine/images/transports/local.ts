/**
 * `containers-storage:NAME` or a bare name/ID: skiff's own store. Reading serves the stored
 * blobs; writing is the only place a copy unpacks layers, through the same lease, layer dedup
 * and image commit as pull and load.
 */
import type { Readable } from 'node:stream';
import type { Descriptor } from '../../../core/content/content.js';
import { invalidArgument, notFound } from '../../../core/errdefs.js';
import { formatReference, normalizeReference } from '../../../core/images/reference.js';
import { checkConfig, checkManifest, parseJson } from '../../../impl/archive/documents.js';
import type { LayerRecord } from '../../../impl/metadata/records.js';
import type { EngineContext } from '../../context.js';
import { commitImage, retryOnLostRace } from '../commit.js';
import { ensureLayer } from '../layer-apply.js';
import { Lease } from '../lease.js';
import { imageRecord } from '../read.js';
import { resolveImage } from '../resolve.js';
import type { DestinationWriter, FinalManifest, ImageDestination, ImageSource, SourceImage } from './types.js';

export class LocalSource implements ImageSource {
  constructor(
    readonly description: string,
    private readonly ctx: EngineContext,
    private readonly name: string | undefined,
  ) {}

  async image(): Promise<SourceImage> {
    if (!this.name) throw invalidArgument(`${this.description}: name the local image to copy`);
    const { id, name } = resolveImage(this.ctx.records, this.name);
    const img = imageRecord(this.ctx, id);
    const what = `image ${id}`;
    const bytes = await this.ctx.content.readBytes(img.manifestDigest);
    const parsed = checkManifest(parseJson(bytes, `manifest of ${what}`), `manifest of ${what}`);
    const config = await this.ctx.content.readBytes(id);
    const shown = name ?? img.names[0];
    return {
      manifest: { bytes, mediaType: img.manifestMediaType, digest: img.manifestDigest },
      parsed,
      config,
      parsedConfig: checkConfig(parseJson(config, `config of ${what}`), `config of ${what}`),
      ...(shown ? { name: shown } : {}),
    };
  }

  async open(desc: Descriptor): Promise<Readable> {
    if (!this.ctx.content.has(desc.digest)) throw notFound(`${this.description}: blob ${desc.digest} is not in the store`);
    return this.ctx.content.openRead(desc.digest);
  }

  async close(): Promise<void> {}
}

export class LocalDestination implements ImageDestination {
  readonly layers = 'as-is' as const;
  readonly ociOnly = false;
  readonly parallel = 3;
  private readonly name?: string;

  constructor(
    readonly description: string,
    private readonly ctx: EngineContext,
    name: string | undefined,
  ) {
    if (name !== undefined) {
      const ref = normalizeReference(name);
      if (ref.digest !== undefined) throw invalidArgument(`${description}: name the copy with a tag, not a digest`);
      this.name = formatReference(ref);
    }
  }

  write<T>(image: SourceImage, body: (w: DestinationWriter) => Promise<T>): Promise<T> {
    const ctx = this.ctx;
    const name = this.name ?? image.name;
    return Lease.with(ctx, (lease) =>
      body({
        has: async (desc) => {
          lease.blob(desc.digest);
          return ctx.content.has(desc.digest);
        },
        putBlob: async (desc, open) => {
          await lease.ingest((await open()) as AsyncIterable<Buffer>, { digest: desc.digest, size: desc.size });
          return 'written';
        },
        putManifest: async (m: FinalManifest) => {
          const diffIds = m.parsedConfig.rootfs.diff_ids;
          const id = await retryOnLostRace(async () => {
            const layers: LayerRecord[] = [];
            for (const [i, blob] of m.manifest.layers.entries()) {
              layers.push(
                await ensureLayer(ctx, lease, layers.at(-1) ?? null, {
                  digest: blob.digest,
                  mediaType: blob.mediaType,
                  size: blob.size,
                  diffId: diffIds[i]!,
                }),
              );
            }
            return commitImage(ctx, lease, {
              config: m.config,
              layers,
              layerBlobs: m.manifest.layers,
              manifest: { bytes: m.bytes, mediaType: m.mediaType },
              names: name ? [name] : [],
              ...(image.repoDigest && m.digest === image.manifest.digest ? { digests: [image.repoDigest] } : {}),
            });
          });
          return { digest: m.digest, id };
        },
      }),
    );
  }
}
