import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';
import type { Descriptor } from '../../core/content/content.js';
import { invalidArgument } from '../../core/errdefs.js';
import { MediaType, type Manifest } from '../../core/images/oci.js';
import { familiarName, formatReference, normalizeReference } from '../../core/images/reference.js';
import { loadRegistriesConf, pushTarget, type Registries, type RemoteRepository } from '../../impl/registry/index.js';
import type { EngineContext } from '../context.js';
import { imageEvent } from './events.js';
import { signManifest, wantsSignature } from './sign.js';
import { Lease } from './lease.js';
import { imageRecord, readManifest } from './read.js';
import { mapLimit, registriesFor, shortId } from './remote-common.js';
import type { ImagePushOptions, ImagePushResult, ProgressListener } from './remote-types.js';
import { resolveImage } from './resolve.js';

const PARALLEL_UPLOADS = 3;

const GZIP_OF: Record<string, string> = {
  [MediaType.OciLayer]: MediaType.OciLayerGzip,
  [MediaType.DockerLayer]: MediaType.DockerLayerGzip,
};

/**
 * Layers kept uncompressed (import, commit, some archives) go out gzip'd. The compressed
 * blob stays in the content store and a small file maps the tar's digest to it, so the next
 * push of the same layer neither recompresses nor gets a different digest.
 */
async function compressedLayer(ctx: EngineContext, lease: Lease, blob: Descriptor): Promise<Descriptor> {
  const gzType = GZIP_OF[blob.mediaType];
  if (!gzType) return blob;
  const dir = join(ctx.root, 'push-cache');
  const entry = join(dir, blob.digest.replace(/^sha256:/, ''));
  if (existsSync(entry)) {
    const [digest, size] = readFileSync(entry, 'utf8').trim().split(' ');
    if (digest) {
      lease.blob(digest);
      if (ctx.content.has(digest)) return { mediaType: gzType, digest, size: Number(size) };
    }
  }
  const gz = ctx.content.openRead(blob.digest).pipe(createGzip({ level: 6 }));
  const { digest, size } = await lease.ingest(gz);
  mkdirSync(dir, { recursive: true });
  const tmp = `${entry}.tmp-${process.pid}`;
  writeFileSync(tmp, `${digest} ${size}\n`);
  renameSync(tmp, entry);
  return { mediaType: gzType, digest, size };
}

type Outcome = 'skipped' | 'mounted' | 'uploaded';

async function pushBlob(
  ctx: EngineContext,
  remote: RemoteRepository,
  desc: Descriptor,
  mountFrom: string[],
  onProgress: ProgressListener,
): Promise<Outcome> {
  const id = shortId(desc.digest);
  onProgress({ type: 'layer', id, status: 'preparing', total: desc.size });
  if (await remote.exists(desc)) {
    onProgress({ type: 'layer', id, status: 'exists', total: desc.size });
    return 'skipped';
  }
  for (const from of mountFrom) {
    if (await remote.mount(desc, from)) {
      onProgress({ type: 'layer', id, status: 'mounted', total: desc.size, from });
      return 'mounted';
    }
  }
  onProgress({ type: 'layer', id, status: 'pushing', current: 0, total: desc.size });
  await remote.upload(desc, () => ctx.content.openRead(desc.digest));
  onProgress({ type: 'layer', id, status: 'pushed', current: desc.size, total: desc.size });
  return 'uploaded';
}

/**
 * `push IMAGE [DESTINATION]`: blobs first (HEAD, then a cross-repository mount from a
 * repository of the same registry this image came from, then an upload), the manifest
 * last. The stored manifest goes out byte for byte when every layer is already compressed,
 * so the pushed digest equals the pulled one.
 */
export async function pushImage(
  ctx: EngineContext,
  source: string,
  destination: string | undefined,
  opts: ImagePushOptions = {},
  onProgress: ProgressListener = () => undefined,
): Promise<ImagePushResult> {
  const registries = registriesFor(opts);
  try {
    return await pushWith(ctx, registries, source, destination, opts, onProgress);
  } finally {
    registries.close();
  }
}

async function pushWith(
  ctx: EngineContext,
  registries: Registries,
  source: string,
  destination: string | undefined,
  opts: ImagePushOptions = {},
  onProgress: ProgressListener = () => undefined,
): Promise<ImagePushResult> {
  const { id } = resolveImage(ctx.records, source);
  const img = imageRecord(ctx, id);
  const target = (destination ?? source).replace(/^docker:\/\//, '');
  const dest = normalizeReference(target);
  if (dest.digest) throw invalidArgument(`push destination ${target}: give a tag, not a digest`);
  const name = formatReference(dest);
  const conf = loadRegistriesConf();
  const where = pushTarget(conf, dest);
  const remote = registries.repository(where.host, where.path, true, where.insecure);
  // Mount sources go through the same rewrite: only a repository on the very host pushed to can lend a blob.
  const mountFrom = opts.noMount
    ? []
    : [...new Set(img.digests.map((d) => d.repo))]
        .flatMap((repo) => {
          try {
            return [pushTarget(conf, normalizeReference(repo))];
          } catch {
            return [];
          }
        })
        .filter((r) => r.host === where.host && r.path !== where.path)
        .map((r) => r.path);
  const manifest: Manifest = await readManifest(ctx, img);
  const original = await ctx.content.readBytes(img.manifestDigest);
  return Lease.with(ctx, async (lease) => {
    const layers = await Promise.all(manifest.layers.map((l) => compressedLayer(ctx, lease, l)));
    const counts = { skipped: 0, mounted: 0, uploaded: 0 };
    const all = [...layers, manifest.config];
    const { results, settled } = mapLimit(all, PARALLEL_UPLOADS, (d) => pushBlob(ctx, remote, d, mountFrom, onProgress));
    try {
      for (const r of results) counts[await r]++;
    } catch (e) {
      await settled;
      throw e;
    }
    const changed = layers.some((l, i) => l.digest !== manifest.layers[i]!.digest);
    let bytes = original;
    let mediaType = img.manifestMediaType;
    if (changed) {
      const docker = img.manifestMediaType === MediaType.DockerManifest;
      mediaType = docker ? MediaType.DockerManifest : MediaType.OciManifest;
      const m: Manifest = { ...manifest, mediaType, layers };
      bytes = Buffer.from(JSON.stringify(m));
    }
    const local = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const signature = wantsSignature(opts) ? await signManifest({ ref: dest, repo: remote, name: `${where.host}/${where.path}` }, local, opts) : undefined;
    const digest = await remote.putManifest(dest.tag!, mediaType, bytes);
    const written = signature ? await signature.write() : undefined;
    imageEvent(ctx, 'push', familiarName(name));
    return {
      name,
      digest,
      size: bytes.length,
      uploadedBlobs: counts.uploaded,
      mountedBlobs: counts.mounted,
      skippedBlobs: counts.skipped,
      ...(written ? { signature: written } : {}),
    };
  });
}
