/**
 * @module archive/oci-read
 * Images from an OCI image layout (index.json + blobs), shared by the oci-archive reader
 * (blobs already streamed into the store) and the `oci:DIR` reader (blobs ingested on
 * demand). Every descriptor followed is checked against the blob it names.
 */
import type { ContentStore, Descriptor } from '../../core/content/content.js';
import { invalidArgument, notFound } from '../../core/errdefs.js';
import { hostPlatform, isLayerMediaType, MediaType, type Manifest } from '../../core/images/oci.js';
import { formatReference, normalizeReference } from '../../core/images/reference.js';
import { checkConfig, checkIndex, checkManifest, isRecord, parseJson } from './documents.js';
import { compressionOfMediaType, isIndexMediaType, isManifestMediaType } from './media-types.js';
import type { LoadedImage } from './types.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
/** containerd (and Docker 25+ `docker save`) keep the full name here, the tag in ref.name. */
const CONTAINERD_NAME = 'io.containerd.image.name';
const IMAGE_CONFIG_TYPES = new Set<string>([MediaType.OciConfig, MediaType.DockerConfig]);

export interface LayoutBlobs {
  /** Whether the layout holds this blob at all (to pick among an index's platforms). */
  has(desc: Descriptor): boolean;
  /** Puts the blob into the store; InvalidArgument when it is missing or its size/digest differ. */
  ensure(desc: Descriptor, what: string): Promise<void>;
}

export interface OciLoadOptions {
  /** Load only index entries with this `org.opencontainers.image.ref.name` (`oci:DIR:TAG`). */
  refName?: string;
}

export function checkLayoutFile(data: Buffer | undefined): void {
  // Absent is tolerated (some tools omit it); present but wrong means a layout we do not know.
  if (data === undefined) return;
  const doc = parseJson(data, 'oci-layout');
  if (!isRecord(doc) || doc.imageLayoutVersion !== '1.0.0') {
    throw invalidArgument(`unsupported OCI layout version ${JSON.stringify(isRecord(doc) ? doc.imageLayoutVersion : doc)}`);
  }
}

function namesOf(annotations: Record<string, string> | undefined): { names: string[]; refTags: string[] } {
  const full = annotations?.[CONTAINERD_NAME];
  const ref = annotations?.[REF_NAME];
  const parse = (s: string) => {
    try {
      return formatReference(normalizeReference(s));
    } catch (e) {
      throw invalidArgument(`OCI index entry name "${s}" is not a valid image name`, e);
    }
  };
  if (full) return { names: [parse(full)], refTags: [] };
  if (!ref) return { names: [], refTags: [] };
  // The spec's ref.name is usually just a tag ("v1.0"), which names no repository; podman
  // writes full names there instead. Anything with a repository separator is a full name.
  return /[/:@]/.test(ref) ? { names: [parse(ref)], refTags: [] } : { names: [], refTags: [ref] };
}

async function readDoc(blobs: LayoutBlobs, store: ContentStore, desc: Descriptor, what: string): Promise<unknown> {
  await blobs.ensure(desc, what);
  return parseJson(await store.readBytes(desc.digest), what);
}

/** For a multi-platform index in a layout: the host's image, else the only one present. */
async function pickFromIndex(blobs: LayoutBlobs, store: ContentStore, desc: Descriptor): Promise<Descriptor> {
  const index = checkIndex(await readDoc(blobs, store, desc, `index ${desc.digest}`), `index ${desc.digest}`);
  const present = index.manifests.filter((m) => isManifestMediaType(m.mediaType) && blobs.has(m));
  const host = hostPlatform();
  const match = present.find((m) => m.platform?.os === host.os && m.platform?.architecture === host.architecture);
  if (match) return match;
  const real = present.filter((m) => m.platform?.os !== 'unknown');
  if (real.length === 1) return real[0]!;
  throw invalidArgument(`index ${desc.digest} holds no image for ${host.os}/${host.architecture} in this layout`);
}

/** Loads one image manifest; undefined when it describes something other than a container image. */
async function loadManifest(
  blobs: LayoutBlobs,
  store: ContentStore,
  desc: Descriptor,
): Promise<Omit<LoadedImage, 'names' | 'refTags'> | undefined> {
  const what = `manifest ${desc.digest}`;
  const manifest: Manifest = checkManifest(await readDoc(blobs, store, desc, what), what);
  if (!IMAGE_CONFIG_TYPES.has(manifest.config.mediaType)) return undefined;
  const config = checkConfig(await readDoc(blobs, store, manifest.config, `config of ${what}`), `config of ${what}`);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw invalidArgument(`${what} has ${manifest.layers.length} layers but its config has ${diffIds.length} diff IDs`);
  }
  for (const [i, layer] of manifest.layers.entries()) {
    if (!isLayerMediaType(layer.mediaType)) throw invalidArgument(`${what} layer ${i} has media type ${layer.mediaType}`);
    await blobs.ensure(layer, `layer ${i} of ${what}`);
    if (compressionOfMediaType(layer.mediaType) === 'none' && layer.digest !== diffIds[i]) {
      throw invalidArgument(`${what}: uncompressed layer ${layer.digest} does not match diff ID ${diffIds[i]}`);
    }
  }
  return { configDigest: manifest.config.digest, config, manifest, manifestDigest: desc.digest };
}

export async function loadOciIndex(
  indexData: Buffer,
  blobs: LayoutBlobs,
  store: ContentStore,
  opts: OciLoadOptions = {},
): Promise<LoadedImage[]> {
  const index = checkIndex(parseJson(indexData, 'index.json'), 'index.json');
  let entries = index.manifests;
  if (opts.refName !== undefined) {
    entries = entries.filter((m) => m.annotations?.[REF_NAME] === opts.refName);
    if (!entries.length) throw notFound(`OCI layout has no image named "${opts.refName}"`);
  }
  const byManifest = new Map<string, LoadedImage>();
  let skipped = 0;
  for (const entry of entries) {
    let desc = entry;
    if (isIndexMediaType(entry.mediaType)) desc = await pickFromIndex(blobs, store, entry);
    else if (!isManifestMediaType(entry.mediaType)) {
      skipped++;
      continue;
    }
    let img = byManifest.get(desc.digest);
    if (!img) {
      const loaded = await loadManifest(blobs, store, desc);
      if (!loaded) {
        skipped++;
        continue;
      }
      img = { names: [], refTags: [], ...loaded };
      byManifest.set(desc.digest, img);
    }
    const { names, refTags } = namesOf(entry.annotations);
    for (const n of names) if (!img.names.includes(n)) img.names.push(n);
    for (const t of refTags) if (!img.refTags.includes(t)) img.refTags.push(t);
  }
  if (!byManifest.size) {
    throw invalidArgument(
      skipped ? 'OCI layout holds no container image (only other artifacts)' : 'OCI layout index.json lists no images',
    );
  }
  return [...byManifest.values()];
}
