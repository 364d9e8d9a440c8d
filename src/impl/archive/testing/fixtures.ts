// Small images built in a ContentStore, and tar helpers, for the archive tests.
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { ContentStore, Descriptor } from '../../../core/content/content.js';
import { MediaType, type ImageConfig, type Manifest } from '../../../core/images/oci.js';
import type { ArchiveImage, ArchiveLayer } from '../types.js';

export const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface TarEntrySpec {
  name: string;
  data?: Buffer | string;
  type?: 'file' | 'symlink' | 'link' | 'directory';
  linkname?: string;
}

/** A tar built in memory from entries given in order. */
export async function makeTar(entries: TarEntrySpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    await new Promise<void>((resolve, reject) => {
      const type = e.type ?? 'file';
      const header: tar.Header = {
        name: e.name,
        type,
        size: type === 'file' ? data.length : 0,
        mode: type === 'directory' ? 0o755 : 0o644,
        mtime: new Date(0),
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
        linkname: e.linkname ?? '',
        devmajor: 0,
        devminor: 0,
      };
      if (type === 'file') pack.entry(header, data, (err) => (err ? reject(err) : resolve()));
      else pack.entry(header, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

/** Entries of a tar buffer: name → content (links as `-> target`). */
export async function listTar(data: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const ex = tar.extract();
  Readable.from([data]).pipe(ex);
  for await (const entry of ex) {
    const parts: Buffer[] = [];
    for await (const c of entry) parts.push(c as Buffer);
    const h = entry.header;
    out.set(h.name, h.type === 'symlink' || h.type === 'link' ? Buffer.from(`-> ${h.linkname}`) : Buffer.concat(parts));
  }
  return out;
}

export function bufferSink(): { sink: Writable; data: () => Buffer } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { sink, data: () => Buffer.concat(chunks) };
}

export interface ImageSpec {
  names: string[];
  /** Uncompressed layer tars, bottom first. */
  layers: Buffer[];
  gzip?: boolean;
  /** Media types for layers and the stored manifest (default docker). */
  flavour?: 'docker' | 'oci';
  /** Store a manifest too, and pass its digest. */
  withManifest?: boolean;
  cmd?: string[];
}

/** Puts an image's layers and config (and optionally manifest) into `store`. */
export async function addImage(store: ContentStore, spec: ImageSpec): Promise<ArchiveImage> {
  const oci = spec.flavour === 'oci';
  const layers: ArchiveLayer[] = [];
  for (const t of spec.layers) {
    const blobBytes = spec.gzip ? gzipSync(t) : t;
    const { digest, size } = await store.put(blobBytes);
    const mediaType = spec.gzip
      ? oci
        ? MediaType.OciLayerGzip
        : MediaType.DockerLayerGzip
      : oci
        ? MediaType.OciLayer
        : MediaType.DockerLayer;
    layers.push({ diffId: sha256(t), uncompressedSize: t.length, blob: { mediaType, digest, size } });
  }
  const config: ImageConfig = {
    created: '2024-01-02T03:04:05Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: spec.cmd ?? ['/bin/sh'], Env: ['PATH=/bin'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created: '2024-01-02T03:04:05Z', created_by: 'test' })),
  };
  const cfg = await store.put(Buffer.from(JSON.stringify(config)));
  const image: ArchiveImage = { names: spec.names, configDigest: cfg.digest, layers };
  if (spec.withManifest) {
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: oci ? MediaType.OciManifest : MediaType.DockerManifest,
      config: { mediaType: oci ? MediaType.OciConfig : MediaType.DockerConfig, digest: cfg.digest, size: cfg.size },
      layers: layers.map((l): Descriptor => l.blob),
    };
    image.manifestDigest = (await store.put(Buffer.from(JSON.stringify(manifest)))).digest;
  }
  return image;
}

export function gunzipOpener(store: ContentStore): (l: ArchiveLayer) => Readable {
  return (l) => store.openRead(l.blob.digest).pipe(createGunzip());
}

/** A layer tar holding the given files. */
export function layerTar(files: Record<string, string>): Promise<Buffer> {
  return makeTar(Object.entries(files).map(([name, data]) => ({ name, data })));
}
