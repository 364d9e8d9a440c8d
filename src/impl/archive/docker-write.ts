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

/**
 * A docker-archive written piece by piece: layers (uncompressed, named by diff ID), then each
 * image's config and legacy layer directories, then manifest.json and `repositories`. For
 * `save` and for callers that stream layers in from elsewhere (`image copy`). After a
 * failure, `abort` leaves the output truncated, which every reader refuses.
 */
export class DockerArchiveWriter {
  private readonly tar: TarWriter;
  private readonly familiar: boolean;
  private readonly written = new Set<string>();
  private readonly manifest: ManifestItem[] = [];
  private readonly byConfig = new Map<string, ManifestItem>();
  private readonly repositories: Record<string, Record<string, string>> = {};

  constructor(out: Writable, opts: DockerArchiveOptions = {}) {
    this.tar = new TarWriter(out);
    this.familiar = opts.names === 'familiar';
  }

  hasLayer(diffId: string): boolean {
    return this.written.has(layerPath(diffId));
  }

  /** An uncompressed layer tar of `size` bytes; the caller vouches that it hashes to `diffId`. */
  async addLayer(diffId: string, size: number, data: () => Readable): Promise<void> {
    const path = layerPath(diffId);
    if (this.written.has(path)) return;
    this.written.add(path);
    await this.tar.addStream(path, size, data());
  }

  /** One image: its config, legacy layer directories and names. Its layers must be in already. */
  async addImage(configDigest: string, configBytes: Buffer, config: Record<string, unknown>, diffIds: string[], names: string[]): Promise<void> {
    for (const d of diffIds) {
      if (!this.written.has(layerPath(d))) throw invalidArgument(`image ${configDigest}: layer ${d} was not written before its image`);
    }
    const configPath = `${parseDigest(configDigest).hex}.json`;
    if (!this.written.has(configPath)) {
      this.written.add(configPath);
      await this.tar.addBytes(configPath, configBytes);
    }
    const legacy = legacyLayers(config, diffIds);
    for (const ll of legacy) {
      if (this.written.has(ll.id)) continue;
      this.written.add(ll.id);
      await this.tar.addSymlink(`${ll.id}/layer.tar`, `../${layerPath(ll.diffId)}`);
      await this.tar.addBytes(`${ll.id}/VERSION`, Buffer.from('1.0'));
      await this.tar.addBytes(`${ll.id}/json`, ll.json);
    }
    let item = this.byConfig.get(configDigest);
    if (!item) {
      item = { Config: configPath, RepoTags: [], Layers: diffIds.map(layerPath) };
      this.byConfig.set(configDigest, item);
      this.manifest.push(item);
    }
    for (const name of names) {
      const rt = repoTagOf(name, this.familiar);
      if (!rt) continue;
      const repoTag = `${rt.repo}:${rt.tag}`;
      if (!item.RepoTags.includes(repoTag)) item.RepoTags.push(repoTag);
      if (legacy.length) (this.repositories[rt.repo] ??= {})[rt.tag] = legacy[legacy.length - 1]!.id;
    }
  }

  finish(): Promise<void> {
    return this.tar.finishWith(async () => {
      await this.tar.addBytes('manifest.json', Buffer.from(JSON.stringify(this.manifest)));
      await this.tar.addBytes('repositories', Buffer.from(JSON.stringify(this.repositories)));
    });
  }

  abort(): Promise<void> {
    return this.tar.abort();
  }
}

export async function writeDockerArchive(
  out: Writable,
  images: ArchiveImage[],
  store: ContentStore,
  openUncompressed: (l: ArchiveLayer) => Readable,
  opts: DockerArchiveOptions = {},
): Promise<void> {
  const prepared = await prepare(images, store);
  const w = new DockerArchiveWriter(out, opts);
  try {
    for (const { image, configBytes, config } of prepared) {
      for (const l of image.layers) {
        if (compressionOfMediaType(l.blob.mediaType) === 'none') {
          await w.addLayer(l.diffId, l.blob.size, () => store.openRead(l.blob.digest));
        } else {
          await w.addLayer(l.diffId, l.uncompressedSize, () => openUncompressed(l));
        }
      }
      await w.addImage(image.configDigest, configBytes, config, image.layers.map((l) => l.diffId), image.names);
    }
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.finish();
}
