import { createHash } from 'node:crypto';
import type { Descriptor } from '../../core/content/content.js';
import { MediaType, type ImageConfig, type Manifest } from '../../core/images/oci.js';
import { formatReference, normalizeReference } from '../../core/images/reference.js';
import { internal } from '../../core/errdefs.js';
import type { LayerRecord } from '../../impl/metadata/records.js';
import type { EngineContext } from '../context.js';
import { commitImage, retryOnLostRace } from '../images/commit.js';
import type { Lease } from '../images/lease.js';
import type { BuildState } from './state.js';

function layerMediaType(stored: string | null, format: 'oci' | 'docker'): string {
  const gzip = stored === MediaType.OciLayerGzip || stored === MediaType.DockerLayerGzip;
  if (stored === MediaType.OciLayerZstd) return stored;
  if (format === 'docker') return gzip ? MediaType.DockerLayerGzip : MediaType.DockerLayer;
  return gzip ? MediaType.OciLayerGzip : MediaType.OciLayer;
}

export function normalizeTags(tags: string[]): string[] {
  return tags.map((t) => formatReference(normalizeReference(t)));
}

/**
 * Writes the built image: config (with `--label`s) and manifest in the format asked for, the
 * layers as they are, the names. An unchanged rebuild writes the same bytes, so it gets the
 * same id.
 */
export async function commitBuiltImage(
  ctx: EngineContext,
  lease: Lease,
  state: BuildState,
  opts: { names: string[]; labels?: Record<string, string>; format: 'oci' | 'docker' },
): Promise<string> {
  const config: ImageConfig = JSON.parse(JSON.stringify(state.config)) as ImageConfig;
  if (opts.labels && Object.keys(opts.labels).length) {
    config.config = { ...(config.config ?? {}), Labels: { ...(config.config?.Labels ?? {}), ...opts.labels } };
  }
  config.created ??= new Date().toISOString();
  return retryOnLostRace(async () => {
    const layers: LayerRecord[] = state.layers.map((id) => {
      const l = ctx.records.layer(id);
      if (!l?.blobDigest || !l.diffId) throw internal(`layer ${id} of the build has no recorded blob`);
      return l;
    });
    const layerBlobs: Descriptor[] = layers.map((l) => ({
      mediaType: layerMediaType(l.blobMediaType, opts.format),
      digest: l.blobDigest!,
      size: l.blobSize ?? 0,
    }));
    const configBytes = Buffer.from(JSON.stringify(config));
    let manifest: { bytes: Buffer; mediaType: string } | undefined;
    if (opts.format === 'docker') {
      const m: Manifest = {
        schemaVersion: 2,
        mediaType: MediaType.DockerManifest,
        config: {
          mediaType: MediaType.DockerConfig,
          digest: 'sha256:' + createHash('sha256').update(configBytes).digest('hex'),
          size: configBytes.length,
        },
        layers: layerBlobs,
      };
      manifest = { bytes: Buffer.from(JSON.stringify(m)), mediaType: MediaType.DockerManifest };
    }
    return commitImage(ctx, lease, { config: configBytes, layers, layerBlobs, names: opts.names, parent: state.base ?? null, ...(manifest ? { manifest } : {}) });
  });
}
