/**
 * `oci:DIR[:REF]`: an OCI image layout directory. Blobs are read from and written to their
 * files directly; nothing passes through the local store.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Descriptor } from '../../../core/content/content.js';
import { invalidArgument, notFound } from '../../../core/errdefs.js';
import { MediaType } from '../../../core/images/oci.js';
import { OciLayoutDirWriter } from '../../../impl/archive/index.js';
import { checkConfig, checkIndex, checkManifest, parseJson } from '../../../impl/archive/documents.js';
import { isIndexMediaType, isManifestMediaType } from '../../../impl/archive/media-types.js';
import { checkLayoutFile, REF_NAME } from '../../../impl/archive/oci-read.js';
import { blobPathOf } from '../../../impl/archive/paths.js';
import { formatReference, normalizeReference } from '../../../core/images/reference.js';
import { choosePlatform } from './platform.js';
import { writeToLayout } from './oci-layout.js';
import type { DestinationWriter, ImageDestination, ImageSource, SourceImage } from './types.js';

const DOC_LIMIT = 64 << 20;

/** A layout's JSON document (index, manifest, config), refused unless it is exactly what `desc` names. */
function readDoc(dir: string, desc: Descriptor, what: string): Buffer {
  const path = join(dir, blobPathOf(desc.digest));
  if (!existsSync(path)) throw invalidArgument(`${dir} is missing ${what} (${blobPathOf(desc.digest)})`);
  const size = statSync(path).size;
  if (size !== desc.size) throw invalidArgument(`${dir}: ${what} is ${size} bytes, its descriptor gives ${desc.size}`);
  if (size > DOC_LIMIT) throw invalidArgument(`${dir}: ${what} is too large (${size} bytes)`);
  const bytes = readFileSync(path);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (digest !== desc.digest) throw invalidArgument(`${dir}: ${what} ${desc.digest} refused: its content hashes to ${digest}`);
  return bytes;
}

/** A ref.name that is a whole image name (podman writes those) names the image; a bare tag does not. */
function nameOf(refName: string | undefined): string | undefined {
  if (!refName || !/[/:@]/.test(refName)) return undefined;
  try {
    return formatReference(normalizeReference(refName));
  } catch {
    return undefined;
  }
}

export class OciDirSource implements ImageSource {
  constructor(
    readonly description: string,
    private readonly dir: string,
    private readonly refName: string | undefined,
    private readonly platform: string | undefined,
  ) {}

  async image(): Promise<SourceImage> {
    const dir = this.dir;
    const indexPath = join(dir, 'index.json');
    if (!existsSync(indexPath)) throw notFound(`${dir} is not an OCI image layout: it has no index.json`);
    const layout = join(dir, 'oci-layout');
    checkLayoutFile(existsSync(layout) ? readFileSync(layout) : undefined);
    const index = checkIndex(parseJson(readFileSync(indexPath), indexPath), indexPath);
    let entries = index.manifests.filter((m) => isManifestMediaType(m.mediaType) || isIndexMediaType(m.mediaType));
    if (this.refName !== undefined) {
      entries = entries.filter((m) => m.annotations?.[REF_NAME] === this.refName);
      if (!entries.length) throw notFound(`${this.description}: the layout has no image named "${this.refName}"`);
    }
    if (entries.length !== 1) {
      const names = index.manifests.map((m) => m.annotations?.[REF_NAME]).filter(Boolean);
      throw invalidArgument(
        entries.length
          ? `${this.description}: the layout holds ${entries.length} images; name one as oci:${dir}:NAME (${names.join(', ') || 'none is named'})`
          : `${this.description}: the layout holds no image`,
      );
    }
    let desc = entries[0]!;
    if (isIndexMediaType(desc.mediaType)) {
      const what = `index ${desc.digest}`;
      const sub = checkIndex(parseJson(readDoc(dir, desc, what), what), what);
      // Only platforms whose manifest this layout actually holds can be chosen.
      const present = sub.manifests.filter((m) => isManifestMediaType(m.mediaType) && existsSync(join(dir, blobPathOf(m.digest))));
      desc = choosePlatform(present, this.platform, `${this.description} ${what}`);
    }
    const what = `manifest ${desc.digest}`;
    const bytes = readDoc(dir, desc, what);
    const parsed = checkManifest(parseJson(bytes, what), what);
    const config = readDoc(dir, parsed.config, `config of ${what}`);
    const name = nameOf(this.refName);
    return {
      manifest: { bytes, mediaType: parsed.mediaType ?? desc.mediaType ?? MediaType.OciManifest, digest: desc.digest },
      parsed,
      config,
      parsedConfig: checkConfig(parseJson(config, `config of ${what}`), `config of ${what}`),
      ...(name ? { name } : {}),
    };
  }

  async open(desc: Descriptor): Promise<Readable> {
    const path = join(this.dir, blobPathOf(desc.digest));
    if (!existsSync(path)) throw invalidArgument(`${this.dir} is missing blob ${desc.digest}`);
    return createReadStream(path, { highWaterMark: 1 << 20 });
  }

  async close(): Promise<void> {}
}

export class OciDirDestination implements ImageDestination {
  readonly layers = 'as-is' as const;
  readonly ociOnly = true;
  readonly parallel = 3;

  constructor(
    readonly description: string,
    private readonly dir: string,
    private readonly refName: string | undefined,
  ) {}

  async write<T>(_image: SourceImage, body: (w: DestinationWriter) => Promise<T>): Promise<T> {
    const out = new OciLayoutDirWriter(this.dir);
    try {
      return await writeToLayout(out, this.refName, 'oci', body);
    } catch (e) {
      await out.abort();
      throw e;
    }
  }
}
