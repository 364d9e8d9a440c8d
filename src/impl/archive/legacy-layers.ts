/**
 * @module archive/legacy-layers
 * The pre-manifest.json half of a docker-archive: one `<id>/` directory per layer with
 * `VERSION`, `json` and `layer.tar`, and the `repositories` file pointing at top layer IDs.
 * Current loaders read manifest.json instead; podman still writes both, so we do too.
 *
 * IDs follow containers/image: a digest of the layer's legacy config with its chain ID
 * mixed in, so equal content under different parents never shares an ID. Go marshals that
 * config with sorted keys and HTML-escaped strings; copying that gives podman's exact IDs.
 */
import { createHash } from 'node:crypto';

export interface LegacyLayer {
  id: string;
  diffId: string;
  /** Contents of `<id>/json`. */
  json: Buffer;
}

const TOP_LAYER_KEYS = ['architecture', 'config', 'container', 'container_config', 'created', 'docker_version', 'os'];

/** JSON as Go's encoding/json writes a map: keys sorted, <, > and & escaped. */
function goJson(obj: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
  return JSON.stringify(sorted).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function legacyLayers(config: Record<string, unknown>, diffIds: string[]): LegacyLayer[] {
  const out: LegacyLayer[] = [];
  let chainId = '';
  let parent = '';
  diffIds.forEach((diffId, i) => {
    const layerConfig: Record<string, unknown> = {};
    if (parent) layerConfig.parent = parent;
    if (i === diffIds.length - 1) for (const k of TOP_LAYER_KEYS) layerConfig[k] = config[k] ?? null;
    chainId = chainId ? `sha256:${sha256(`${chainId} ${diffId}`)}` : diffId;
    const id = sha256(goJson({ ...layerConfig, layer_id: chainId }));
    out.push({ id, diffId, json: Buffer.from(goJson({ ...layerConfig, id })) });
    parent = id;
  });
  return out;
}
