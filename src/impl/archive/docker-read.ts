/**
 * @module archive/docker-read
 * Turns a scanned docker-archive (`docker save` / `podman save --format docker-archive`)
 * into images: manifest.json names each image's config and layer files; a schema2
 * manifest is made for each, since the format has none.
 */
import type { ContentStore, Descriptor } from '../../core/content/content.js';
import { invalidArgument } from '../../core/errdefs.js';
import { MediaType, type Manifest } from '../../core/images/oci.js';
import { formatReference, normalizeReference } from '../../core/images/reference.js';
import { checkConfig, isRecord, isStringArray, parseJson } from './documents.js';
import { lookupFile, type ArchiveContents, type ArchiveFile } from './tar-scan.js';
import type { LoadedImage } from './types.js';

interface ManifestItem {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

function parseManifestJson(data: Buffer): ManifestItem[] {
  const doc = parseJson(data, 'docker-archive manifest.json');
  if (!Array.isArray(doc)) throw invalidArgument('docker-archive manifest.json is not a list');
  return doc.map((item, i) => {
    const what = `docker-archive manifest.json entry ${i}`;
    if (!isRecord(item) || typeof item.Config !== 'string' || !isStringArray(item.Layers)) {
      throw invalidArgument(`${what} lacks Config or Layers`);
    }
    // Docker writes null RepoTags for untagged images.
    const tags = item.RepoTags ?? [];
    if (!isStringArray(tags)) throw invalidArgument(`${what}: RepoTags is not a list of names`);
    return { Config: item.Config, RepoTags: tags, Layers: item.Layers };
  });
}

/** The layer's diff ID as computed from the archive's bytes, or why it cannot be known. */
function diffIdOf(f: ArchiveFile, name: string): string {
  if (f.compression === 'none') return f.digest;
  if (f.compression === 'gzip' && f.uncompressedDigest !== undefined) return f.uncompressedDigest;
  throw invalidArgument(
    f.compression === 'gzip'
      ? `docker-archive layer ${name} is not a valid gzip stream`
      : `docker-archive layer ${name} is ${f.compression}-compressed, which docker-archive does not allow`,
  );
}

function normalizedName(tag: string): string {
  try {
    return formatReference(normalizeReference(tag));
  } catch (e) {
    throw invalidArgument(`docker-archive RepoTags entry "${tag}" is not a valid image name`, e);
  }
}

export async function loadDockerArchive(contents: ArchiveContents, store: ContentStore): Promise<LoadedImage[]> {
  const items = parseManifestJson(contents.meta.get('manifest.json')!);
  const byManifest = new Map<string, LoadedImage>();
  for (const item of items) {
    const configFile = lookupFile(contents, item.Config, 'config');
    const config = checkConfig(parseJson(await store.readBytes(configFile.digest), `config ${item.Config}`), `config ${item.Config}`);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== item.Layers.length) {
      throw invalidArgument(
        `docker-archive image ${item.Config} lists ${item.Layers.length} layers but its config has ${diffIds.length} diff IDs`,
      );
    }
    const layers: Descriptor[] = item.Layers.map((name, i) => {
      const f = lookupFile(contents, name, 'layer');
      const diffId = diffIdOf(f, name);
      if (diffId !== diffIds[i]) {
        throw invalidArgument(`docker-archive layer ${name} has diff ID ${diffId}, but its config says ${diffIds[i]}`);
      }
      return {
        mediaType: f.compression === 'gzip' ? MediaType.DockerLayerGzip : MediaType.DockerLayer,
        size: f.size,
        digest: f.digest,
      };
    });
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.DockerManifest,
      config: { mediaType: MediaType.DockerConfig, size: configFile.size, digest: configFile.digest },
      layers,
    };
    const { digest } = await store.put(Buffer.from(JSON.stringify(manifest)));
    let img = byManifest.get(digest);
    if (!img) {
      img = { names: [], refTags: [], configDigest: configFile.digest, config, manifest, manifestDigest: digest };
      byManifest.set(digest, img);
    }
    for (const name of item.RepoTags.map(normalizedName)) if (!img.names.includes(name)) img.names.push(name);
  }
  return [...byManifest.values()];
}
