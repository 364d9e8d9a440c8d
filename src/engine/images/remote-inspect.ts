/**
 * `manifest inspect` and `image inspect --remote`: a registry image looked at without pulling
 * it. Only the manifest(s) and the config are fetched, and both are checked against their digests.
 */
import { formatReference, repositoryOf } from '../../core/images/reference.js';
import type { Platform } from '../../core/content/content.js';
import { MediaType } from '../../core/images/oci.js';
import { checkConfig, checkIndex, checkManifest, parseJson } from '../../impl/archive/documents.js';
import type { RemoteDistribution, RemoteImageInspect, RemoteManifest } from './copy-types.js';
import { registriesFor } from './remote-common.js';
import type { RemoteOptions } from './remote-types.js';
import { manifestOf, resolveRemote } from './transports/registry.js';

/** The document a reference names (an index or a manifest), exactly as the registry holds it. */
export async function inspectRemoteManifest(input: string, opts: RemoteOptions = {}): Promise<RemoteManifest> {
  const registries = registriesFor(opts);
  try {
    const r = await resolveRemote(registries, input);
    const { descriptor, bytes } = r.top;
    return { name: formatReference(r.ref), digest: descriptor.digest, mediaType: descriptor.mediaType, bytes };
  } finally {
    registries.close();
  }
}

/**
 * The descriptor a reference resolves to and the platforms it offers, as dockerd's distribution
 * endpoint answers: an index lists them; a single manifest's is read from its config.
 */
export async function inspectRemoteDistribution(input: string, opts: RemoteOptions = {}): Promise<RemoteDistribution> {
  const registries = registriesFor(opts);
  try {
    const r = await resolveRemote(registries, input);
    const what = formatReference(r.ref);
    const { descriptor, bytes } = r.top;
    const top = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: bytes.length };
    if (descriptor.mediaType === MediaType.OciIndex || descriptor.mediaType === MediaType.DockerManifestList) {
      const index = checkIndex(parseJson(bytes, what), what);
      return { descriptor: top, platforms: index.manifests.flatMap((m) => (m.platform ? [m.platform] : [])) };
    }
    const manifest = checkManifest(parseJson(bytes, what), what);
    const config = checkConfig(parseJson(await r.remote.fetchDocument(manifest.config, `config of ${what}`), `config of ${what}`), `config of ${what}`);
    const platform: Platform = {
      architecture: config.architecture,
      os: config.os,
      ...(config.variant ? { variant: config.variant } : {}),
    };
    return { descriptor: top, platforms: [platform] };
  } finally {
    registries.close();
  }
}

/** What `skopeo inspect` tells: the image's config and layers, and every tag of its repository. */
/** As Go prints a time.Time (skopeo's Created): the fraction of a second without trailing zeros. */
const goTime = (t: string) => t.replace(/\.(\d*?)0+(?=Z|[+-]\d\d:\d\d$)/, (_m, d: string) => (d ? `.${d}` : ''));

export async function inspectRemoteImage(input: string, opts: RemoteOptions & { platform?: string } = {}): Promise<RemoteImageInspect> {
  const registries = registriesFor(opts);
  try {
    const r = await resolveRemote(registries, input);
    const what = formatReference(r.ref);
    const doc = await manifestOf(r, opts.platform);
    const manifest = checkManifest(parseJson(doc.bytes, what), what);
    const [configBytes, tags] = await Promise.all([r.remote.fetchDocument(manifest.config, `config of ${what}`), r.remote.listTags()]);
    const config = checkConfig(parseJson(configBytes, `config of ${what}`), `config of ${what}`);
    return {
      Name: repositoryOf(r.ref),
      Digest: r.top.descriptor.digest,
      RepoTags: tags,
      ...(config.created ? { Created: goTime(config.created) } : {}),
      DockerVersion: config.docker_version ?? '',
      Labels: config.config?.Labels ?? null,
      Architecture: config.architecture,
      ...(config.variant ? { Variant: config.variant } : {}),
      Os: config.os,
      Layers: manifest.layers.map((l) => l.digest),
      LayersData: manifest.layers.map((l) => ({ MIMEType: l.mediaType, Digest: l.digest, Size: l.size, Annotations: l.annotations ?? null })),
      Env: config.config?.Env ?? null,
    };
  } finally {
    registries.close();
  }
}
