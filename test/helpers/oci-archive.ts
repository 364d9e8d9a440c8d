// Builds oci-archive files from layer tars, for tests that need multi-layer images without a builder.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import tarStream, { type Header as Headers } from 'tar-stream';

export interface TestImageSpec {
  /** full or short name, written as org.opencontainers.image.ref.name */
  name?: string;
  /** uncompressed layer tar files, bottom-up */
  layers: string[];
  cmd?: string[];
}

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

export async function writeOciArchive(out: string, images: TestImageSpec[]): Promise<void> {
  const pack = tarStream.pack();
  const blobs = new Map<string, Buffer>();
  const manifests = [];
  for (const img of images) {
    const layers = img.layers.map((p) => readFileSync(p));
    for (const l of layers) blobs.set(sha(l), l);
    const config = Buffer.from(
      JSON.stringify({
        created: '2024-01-01T00:00:00Z',
        architecture: 'amd64',
        os: 'linux',
        config: { Cmd: img.cmd ?? ['/bin/sh'], Env: ['PATH=/bin'] },
        rootfs: { type: 'layers', diff_ids: layers.map(sha) },
        history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `layer ${i}` })),
      }),
    );
    blobs.set(sha(config), config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
        layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(l), size: l.length })),
      }),
    );
    blobs.set(sha(manifest), manifest);
    manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha(manifest),
      size: manifest.length,
      ...(img.name ? { annotations: { 'org.opencontainers.image.ref.name': img.name } } : {}),
    });
  }
  const done = buffer(pack);
  pack.entry({ name: 'oci-layout' }, JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  pack.entry({ name: 'index.json' }, JSON.stringify({ schemaVersion: 2, manifests }));
  pack.entry({ name: 'blobs/', type: 'directory' });
  pack.entry({ name: 'blobs/sha256/', type: 'directory' });
  for (const [d, b] of blobs) pack.entry({ name: `blobs/sha256/${d.slice(7)}` }, b);
  pack.finalize();
  writeFileSync(out, await done);
}

/** A layer tar with the given files (path → content), made with tar-stream. */
export async function writeLayerTar(out: string, files: Record<string, string>): Promise<string> {
  const pack = tarStream.pack();
  const done = buffer(pack);
  const dirs = new Set<string>();
  for (const path of Object.keys(files)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  for (const d of [...dirs].sort()) pack.entry({ name: d + '/', type: 'directory', mode: 0o755, mtime: new Date(0) });
  for (const [path, content] of Object.entries(files)) {
    pack.entry({ name: path, mode: 0o644, mtime: new Date(0) }, content);
  }
  pack.finalize();
  writeFileSync(out, await done);
  return out;
}

export interface TarEntry {
  header: Partial<Headers> & { name: string };
  body?: string;
}

/** A tar built entry by entry, for tests that need exact (and hostile) headers. */
export async function packTar(entries: TarEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const done = buffer(pack);
  for (const e of entries) pack.entry(e.header as Headers, e.body ?? '');
  pack.finalize();
  return done;
}
