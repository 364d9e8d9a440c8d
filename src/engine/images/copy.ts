/**
 * `image copy SRC DST` (skopeo's job): one image from any transport to any other. Blobs stream
 * from source to destination, each checked against its digest on the way; a layer is only
 * rewritten when the destination cannot take it as it is (registries get gzip'd layers,
 * docker-archive plain tars), and only the local store unpacks layers. The manifest is
 * carried byte for byte when nothing in it changed, so its digest survives the trip.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Descriptor } from '../../core/content/content.js';
import { invalidArgument } from '../../core/errdefs.js';
import { MediaType, type Manifest } from '../../core/images/oci.js';
import { parseImageLocation } from '../../core/images/transport.js';
import { compressionOfMediaType, ociMediaType } from '../../impl/archive/media-types.js';
import { checkLocalSourceAllowed } from '../../impl/trust/evaluate.js';
import { loadPolicy, pathScopes } from '../../impl/trust/policy.js';
import type { EngineContext } from '../context.js';
import type { ImageCopyOptions, ImageCopyResult } from './copy-types.js';
import { mapLimit, shortId } from './remote-common.js';
import type { ProgressListener } from './remote-types.js';
import { openDestination, openSource, type DestinationWriter, type FinalManifest, type ImageDestination, type ImageSource, type SourceImage } from './transports/index.js';
import { conversionFor, convertedMediaType, convertToFile, verified } from './transports/streams.js';

const isOciManifest = (m: Manifest, mediaType: string) =>
  mediaType === MediaType.OciManifest || (m.mediaType ?? mediaType) === MediaType.OciManifest;

export async function copyImage(
  ctx: EngineContext,
  src: string,
  dst: string,
  opts: ImageCopyOptions = {},
  onProgress: ProgressListener = () => undefined,
): Promise<ImageCopyResult> {
  const from = parseImageLocation(src);
  const to = parseImageLocation(dst);
  // A registry source is checked once its manifest is read (RegistrySource); a local layout or
  // archive carries no signature, so its scope's requirement decides before anything is read.
  if (from.transport === 'oci' || from.transport === 'oci-archive' || from.transport === 'docker-archive') {
    const path = resolve(from.path);
    const name = from.transport === 'docker-archive' ? undefined : from.refName;
    checkLocalSourceAllowed(loadPolicy(opts.signaturePolicy), from.transport, pathScopes(from.transport, path, name), src);
  }
  const destination = openDestination(ctx, to, { ...opts.dest, ...(opts.sign ? { sign: opts.sign } : {}) });
  mkdirSync(join(ctx.root, 'tmp'), { recursive: true });
  const staging = mkdtempSync(join(ctx.root, 'tmp', 'copy-'));
  const source = openSource(ctx, from, {
    ...opts.src,
    platform: opts.platform,
    staging,
    ...(opts.signaturePolicy ? { signaturePolicy: opts.signaturePolicy } : {}),
    ...(opts.registriesDir ? { registriesDir: opts.registriesDir } : {}),
  });
  try {
    const image = await source.image();
    onProgress({ type: 'resolved', name: source.description, digest: image.manifest.digest });
    return await destination.write(image, (w) => new Transfer(source, image, destination, w, staging, onProgress).run());
  } finally {
    await source.close();
    rmSync(staging, { recursive: true, force: true });
  }
}

class Transfer {
  private readonly counts = { exists: 0, mounted: 0, written: 0 };

  constructor(
    private readonly source: ImageSource,
    private readonly image: SourceImage,
    private readonly dest: ImageDestination,
    private readonly w: DestinationWriter,
    private readonly staging: string,
    private readonly onProgress: ProgressListener,
  ) {}

  async run(): Promise<ImageCopyResult> {
    const { parsed, parsedConfig } = this.image;
    const diffIds = parsedConfig.rootfs.diff_ids;
    const what = this.source.description;
    if (diffIds.length !== parsed.layers.length) {
      throw invalidArgument(`${what}: manifest has ${parsed.layers.length} layers, config lists ${diffIds.length}`);
    }
    parsed.layers.forEach((l, i) => {
      if (compressionOfMediaType(l.mediaType) === 'none' && l.digest !== diffIds[i]) {
        throw invalidArgument(`${what}: uncompressed layer ${l.digest} differs from its diff ID ${diffIds[i]}`);
      }
    });
    const { results, settled } = mapLimit(parsed.layers, this.dest.parallel, (l, i) => this.layer(l, diffIds[i]!, i));
    const layers: Descriptor[] = [];
    try {
      for (const r of results) layers.push(await r);
    } catch (e) {
      await settled;
      throw e;
    }
    const final = this.finalManifest(layers);
    const { digest, id, signature } = await this.w.putManifest(final);
    return {
      digest,
      ...(id ? { id } : {}),
      ...(signature ? { signature } : {}),
      skippedBlobs: this.counts.exists,
      mountedBlobs: this.counts.mounted,
      copiedBlobs: this.counts.written,
    };
  }

  /** Copies one layer, converted when the destination needs; returns its descriptor there. */
  private async layer(l: Descriptor, diffId: string, i: number): Promise<Descriptor> {
    const id = shortId(l.digest);
    const progress = (status: 'exists' | 'mounted' | 'copying' | 'copied', current?: number) =>
      this.onProgress({ type: 'layer', id, status, total: l.size, ...(current !== undefined ? { current } : {}) });
    let last = 0;
    const open = async () =>
      verified(await this.source.open(l), l, `layer of ${this.source.description}`, (n) => {
        if (Date.now() - last < 100) return;
        last = Date.now();
        progress('copying', n);
      });
    const put = async (desc: Descriptor, opener: typeof open) => {
      if (await this.w.has(desc)) {
        this.counts.exists++;
        progress('exists');
        return;
      }
      progress('copying', 0);
      const outcome = await this.w.putBlob(desc, opener);
      this.counts[outcome]++;
      progress(outcome === 'mounted' ? 'mounted' : outcome === 'exists' ? 'exists' : 'copied', l.size);
    };
    const conversion = conversionFor(l.mediaType, this.dest.layers);
    if (!conversion) {
      await put(l, open);
      return l;
    }
    progress('copying', 0);
    const file = join(this.staging, `layer-${i}`);
    try {
      const { digest, size } = await convertToFile(await open(), l.mediaType, conversion, file);
      if (conversion === 'decompress' && digest !== diffId) {
        throw invalidArgument(`layer ${l.digest} of ${this.source.description}: uncompressed, it hashes to ${digest}; its config says ${diffId}`);
      }
      const out: Descriptor = { mediaType: convertedMediaType(l.mediaType, conversion), digest, size };
      await put(out, async () => createReadStream(file));
      return out;
    } finally {
      rmSync(file, { force: true });
    }
  }

  /**
   * The source's manifest byte for byte when every layer went across unchanged and the
   * destination takes its type; otherwise one rewritten for the new layers (OCI for OCI
   * layouts, else the source's own family).
   */
  private finalManifest(layers: Descriptor[]): FinalManifest {
    const { parsed, manifest, config, parsedConfig } = this.image;
    const sourceOci = isOciManifest(parsed, manifest.mediaType);
    const same = layers.every((d, i) => d === parsed.layers[i]);
    if (same && (sourceOci || !this.dest.ociOnly)) {
      return { bytes: manifest.bytes, mediaType: manifest.mediaType, digest: manifest.digest, manifest: parsed, config, parsedConfig };
    }
    const oci = sourceOci || this.dest.ociOnly;
    const m: Manifest = {
      schemaVersion: 2,
      mediaType: oci ? MediaType.OciManifest : MediaType.DockerManifest,
      config: { ...parsed.config, mediaType: oci ? ociMediaType(parsed.config.mediaType) : parsed.config.mediaType },
      layers: layers.map((d) => ({ ...d, mediaType: oci ? ociMediaType(d.mediaType) : d.mediaType })),
      ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
    };
    const bytes = Buffer.from(JSON.stringify(m));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    return { bytes, mediaType: m.mediaType!, digest, manifest: m, config, parsedConfig };
  }
}
