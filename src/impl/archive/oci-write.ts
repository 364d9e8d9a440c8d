/**
 * @module archive/oci-write
 * Writing images as an OCI image layout, into a tar (oci-archive) or a directory (`oci:DIR`).
 * Manifests are OCI: a stored OCI manifest is written byte for byte; anything else (a Docker
 * schema2 image) gets a new OCI manifest with the OCI media types, so a new digest.
 */
import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { ContentStore, Descriptor } from '../../core/content/content.js';
import { invalidArgument, notFound } from '../../core/errdefs.js';
import { MediaType, type Index, type Manifest } from '../../core/images/oci.js';
import { checkConfig, checkManifest, parseJson } from './documents.js';
import { ociMediaType } from './media-types.js';
import { REF_NAME } from './oci-read.js';
import { blobPathOf } from './paths.js';
import { TarWriter } from './tar-pack.js';
import type { ArchiveImage } from './types.js';

export const OCI_LAYOUT_FILE = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));

/** Where a layout's blobs go; the archive and directory writers differ only here. */
export interface LayoutSink {
  hasBlob(digest: string): boolean;
  writeBlob(digest: string, size: number, data: Buffer | (() => Readable)): Promise<void>;
}

async function ociManifestOf(image: ArchiveImage, store: ContentStore): Promise<{ bytes: Buffer; manifest: Manifest }> {
  const what = `image ${image.configDigest}`;
  if (image.manifestDigest !== undefined && store.has(image.manifestDigest)) {
    const bytes = await store.readBytes(image.manifestDigest);
    const stored = checkManifest(parseJson(bytes, `manifest of ${what}`), `manifest of ${what}`);
    const isOci =
      stored.mediaType === MediaType.OciManifest ||
      (stored.mediaType === undefined && stored.config.mediaType === MediaType.OciConfig);
    if (isOci && stored.config.digest === image.configDigest) return { bytes, manifest: stored };
  }
  const configInfo = store.info(image.configDigest);
  if (!configInfo) throw notFound(`${what}: config blob is not in the store`);
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: image.configDigest, size: configInfo.size },
    layers: image.layers.map((l) => {
      const d: Descriptor = { mediaType: ociMediaType(l.blob.mediaType), digest: l.blob.digest, size: l.blob.size };
      if (l.blob.annotations) d.annotations = l.blob.annotations;
      if (l.blob.urls) d.urls = l.blob.urls;
      return d;
    }),
  };
  return { bytes: Buffer.from(JSON.stringify(manifest)), manifest };
}

/**
 * Writes every image's blobs (shared ones once) and returns the index entries: one per name,
 * each carrying the name verbatim as `org.opencontainers.image.ref.name` (podman writes the
 * full name there), or one without a name for an unnamed image.
 */
export async function writeLayoutBlobs(sink: LayoutSink, images: ArchiveImage[], store: ContentStore): Promise<Descriptor[]> {
  const prepared: { bytes: Buffer; manifest: Manifest; image: ArchiveImage }[] = [];
  // Check everything first so that a missing blob does not leave half a layout behind.
  for (const image of images) {
    const { bytes, manifest } = await ociManifestOf(image, store);
    const what = `image ${image.configDigest}`;
    const config = checkConfig(parseJson(await store.readBytes(image.configDigest), `config of ${what}`), what);
    if (config.rootfs.diff_ids.length !== manifest.layers.length) {
      throw invalidArgument(`${what}: ${manifest.layers.length} layers but ${config.rootfs.diff_ids.length} diff IDs`);
    }
    for (const l of manifest.layers) {
      if (!store.has(l.digest)) throw notFound(`${what}: layer blob ${l.digest} is not in the store`);
    }
    prepared.push({ bytes, manifest, image });
  }
  const entries: Descriptor[] = [];
  for (const { bytes, manifest, image } of prepared) {
    for (const l of manifest.layers) {
      if (!sink.hasBlob(l.digest)) await sink.writeBlob(l.digest, l.size, () => store.openRead(l.digest));
    }
    const cfg = manifest.config;
    if (!sink.hasBlob(cfg.digest)) await sink.writeBlob(cfg.digest, cfg.size, await store.readBytes(cfg.digest));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (!sink.hasBlob(digest)) await sink.writeBlob(digest, bytes.length, bytes);
    const desc: Descriptor = { mediaType: MediaType.OciManifest, digest, size: bytes.length };
    if (!image.names.length) entries.push(desc);
    for (const name of image.names) entries.push({ ...desc, annotations: { [REF_NAME]: name } });
  }
  return entries;
}

export function indexJson(manifests: Descriptor[]): Buffer {
  const index: Index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests };
  return Buffer.from(JSON.stringify(index));
}

/**
 * An oci-archive written blob by blob (podman's order: blobs, then index.json and oci-layout),
 * for callers that stream blobs in from elsewhere (`image copy`). After a failure, `abort`
 * leaves the output truncated, which every reader refuses.
 */
export class OciArchiveWriter implements LayoutSink {
  private readonly tar: TarWriter;
  private readonly sent = new Set<string>();
  private started = false;

  constructor(out: Writable) {
    this.tar = new TarWriter(out);
  }

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.tar.addDirectory('blobs/');
    await this.tar.addDirectory('blobs/sha256/');
  }

  hasBlob(digest: string): boolean {
    return this.sent.has(digest);
  }

  /** `size` goes into the tar header first; a stream of another length fails the archive. */
  async writeBlob(digest: string, size: number, data: Buffer | (() => Readable)): Promise<void> {
    await this.start();
    this.sent.add(digest);
    const path = blobPathOf(digest);
    if (Buffer.isBuffer(data)) await this.tar.addBytes(path, data);
    else await this.tar.addStream(path, size, data());
  }

  finish(entries: Descriptor[]): Promise<void> {
    return this.tar.finishWith(async () => {
      await this.start();
      await this.tar.addBytes('index.json', indexJson(entries));
      await this.tar.addBytes('oci-layout', OCI_LAYOUT_FILE);
    });
  }

  abort(): Promise<void> {
    return this.tar.abort();
  }
}

/** `skiff save --format oci-archive`. */
export async function writeOciArchive(out: Writable, images: ArchiveImage[], store: ContentStore): Promise<void> {
  const w = new OciArchiveWriter(out);
  let entries: Descriptor[];
  try {
    entries = await writeLayoutBlobs(w, images, store);
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.finish(entries);
}
