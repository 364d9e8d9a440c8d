/**
 * @module archive/docker-write
 * `skiff save` in docker-archive format, laid out as podman writes it: `<diffID>.tar` layers
 * (always uncompressed), `<configDigest>.json` configs, legacy `<id>/` layer directories,
 * `manifest.json` and `repositories`.
 */
import type { Readable, Writable } from 'node:stream';
import type { ContentStore } from '../../core/content/content.js';
import { parseDigest } from '../../core/content/digest.js';
import { invalidArgument, notFound } from '../../core/errdefs.js';
import { familiarRepository, normalizeReference, repositoryOf } from '../../core/images/reference.js';
import { checkConfig, parseJson } from './documents.js';
import { legacyLayers } from './legacy-layers.js';
import { compressionOfMediaType } from './media-types.js';
import { TarWriter } from './tar-pack.js';
import type { ArchiveImage, ArchiveLayer } from './types.js';

export interface DockerArchiveOptions {
  /**
   * How names are written into RepoTags and `repositories`. 'qualified' (the default, as
   * podman writes): docker.io/library/busybox:latest. 'familiar' (as `docker save` writes):
   * busybox:latest. Docker and skopeo read both the same; podman 4 loads a familiar name as
   * localhost/busybox:latest, so only 'qualified' survives every loader.
   */
  names?: 'qualified' | 'familiar';
}

interface ManifestItem {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

interface Prepared {
  image: ArchiveImage;
  configBytes: Buffer;
  config: Record<string, unknown>;
}

const layerPath = (diffId: string) => `${parseDigest(diffId).hex}.tar`;

/** Repository and tag of a name; undefined for digest-only names, which RepoTags cannot hold. */
function repoTagOf(name: string, familiar: boolean): { repo: string; tag: string } | undefined {
  const ref = normalizeReference(name);
  if (ref.tag === undefined) return undefined;
  const repo = repositoryOf(ref);
  return { repo: familiar ? familiarRepository(repo) : repo, tag: ref.tag };
}

/** Everything is checked before the first byte goes out, so a missing blob is not a truncated archive. */
async function prepare(images: ArchiveImage[], store: ContentStore): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (const image of images) {
    const configBytes = await store.readBytes(image.configDigest);
    const what = `image ${image.configDigest}`;
    const config = checkConfig(parseJson(configBytes, `config of ${what}`), what);
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== image.layers.length || diffIds.some((d, i) => d !== image.layers[i]!.diffId)) {
      throw invalidArgument(`${what}: its layers do not match the config's diff IDs`);
    }
    for (const l of image.layers) {
      if (!store.has(l.blob.digest)) throw notFound(`${what}: layer blob ${l.blob.digest} is not in the store`);
      if (compressionOfMediaType(l.blob.mediaType) === 'none' && l.blob.digest !== l.diffId) {
        throw invalidArgument(`${what}: uncompressed layer ${l.blob.digest} differs from its diff ID ${l.diffId}`);
      }
    }
    out.push({ image, configBytes, config: config as unknown as Record<string, unknown> });
  }
  return out;
}

export async function writeDockerArchive(
  out: Writable,
  images: ArchiveImage[],
  store: ContentStore,
  openUncompressed: (l: ArchiveLayer) => Readable,
  opts: DockerArchiveOptions = {},
): Promise<void> {
  const familiar = opts.names === 'familiar';
  const prepared = await prepare(images, store);
  const tar = new TarWriter(out);
  const written = new Set<string>();
  const manifest: ManifestItem[] = [];
  const byConfig = new Map<string, ManifestItem>();
  const repositories: Record<string, Record<string, string>> = {};
  try {
    for (const { image, configBytes, config } of prepared) {
      for (const l of image.layers) {
        const path = layerPath(l.diffId);
        if (written.has(path)) continue;
        written.add(path);
        if (compressionOfMediaType(l.blob.mediaType) === 'none') {
          await tar.addStream(path, l.blob.size, store.openRead(l.blob.digest));
        } else {
          await tar.addStream(path, l.uncompressedSize, openUncompressed(l));
        }
      }
      const configPath = `${parseDigest(image.configDigest).hex}.json`;
      if (!written.has(configPath)) {
        written.add(configPath);
        await tar.addBytes(configPath, configBytes);
      }
      const legacy = legacyLayers(config, image.layers.map((l) => l.diffId));
      for (const ll of legacy) {
        if (written.has(ll.id)) continue;
        written.add(ll.id);
        await tar.addSymlink(`${ll.id}/layer.tar`, `../${layerPath(ll.diffId)}`);
        await tar.addBytes(`${ll.id}/VERSION`, Buffer.from('1.0'));
        await tar.addBytes(`${ll.id}/json`, ll.json);
      }
      let item = byConfig.get(image.configDigest);
      if (!item) {
        item = { Config: configPath, RepoTags: [], Layers: image.layers.map((l) => layerPath(l.diffId)) };
        byConfig.set(image.configDigest, item);
        manifest.push(item);
      }
      for (const name of image.names) {
        const rt = repoTagOf(name, familiar);
        if (!rt) continue;
        const repoTag = `${rt.repo}:${rt.tag}`;
        if (!item.RepoTags.includes(repoTag)) item.RepoTags.push(repoTag);
        if (legacy.length) (repositories[rt.repo] ??= {})[rt.tag] = legacy[legacy.length - 1]!.id;
      }
    }
    await tar.addBytes('manifest.json', Buffer.from(JSON.stringify(manifest)));
    await tar.addBytes('repositories', Buffer.from(JSON.stringify(repositories)));
  } catch (e) {
    await tar.abort();
    throw e;
  }
  await tar.finish();
}
