/**
 * `oci-archive:FILE[:REF]` and `docker-archive:FILE[:NAME:TAG|:@N]`. Reading unpacks the tar's
 * blobs (checked against their names as they stream past) into a private content store in
 * the copy's staging directory, since a tar gives no random access; writing streams blobs
 * straight into a tar built in a temp file beside FILE, renamed over it when complete.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Descriptor } from '../../../core/content/content.js';
import { invalidArgument, notFound } from '../../../core/errdefs.js';
import { MediaType } from '../../../core/images/oci.js';
import { DockerArchiveWriter, OciArchiveWriter, readImageArchive, type LoadedImage } from '../../../impl/archive/index.js';
import { LocalContentStore } from '../../../impl/content/local-store.js';
import { writeToLayout } from './oci-layout.js';
import { deferred } from './streams.js';
import type { DestinationWriter, FinalManifest, ImageDestination, ImageSource, SourceImage } from './types.js';

export interface ArchiveSelector {
  /** oci-archive: the index entry's ref.name */
  refName?: string;
  /** docker-archive: a normalised NAME:TAG from RepoTags */
  name?: string;
  /** docker-archive: position in manifest.json */
  index?: number;
}

export class ArchiveSource implements ImageSource {
  private store?: LocalContentStore;

  constructor(
    readonly description: string,
    private readonly file: string,
    private readonly select: ArchiveSelector,
    /** a directory of the copy's own, removed after it */
    private readonly staging: string,
  ) {}

  private pick(images: LoadedImage[]): LoadedImage {
    const { name, index } = this.select;
    if (name !== undefined) {
      const img = images.find((i) => i.names.includes(name));
      if (!img) throw notFound(`${this.description}: the archive has no image named ${name}`);
      return img;
    }
    if (index !== undefined) {
      const img = images[index];
      if (!img) throw notFound(`${this.description}: the archive holds ${images.length} image(s), there is no @${index}`);
      return img;
    }
    if (images.length !== 1) {
      throw invalidArgument(`${this.description}: the archive holds ${images.length} images; name one as ${this.description}:NAME:TAG or :@N`);
    }
    return images[0]!;
  }

  async image(): Promise<SourceImage> {
    if (!existsSync(this.file)) throw notFound(`${this.description}: no such file`);
    const store = (this.store = new LocalContentStore(join(this.staging, 'archive')));
    const opts = this.select.refName !== undefined ? { refName: this.select.refName } : {};
    const img = this.pick(await readImageArchive(createReadStream(this.file), store, opts));
    const bytes = await store.readBytes(img.manifestDigest);
    return {
      manifest: { bytes, mediaType: img.manifest.mediaType ?? MediaType.OciManifest, digest: img.manifestDigest },
      parsed: img.manifest,
      config: await store.readBytes(img.configDigest),
      parsedConfig: img.config,
      ...(img.names[0] ? { name: img.names[0] } : {}),
    };
  }

  async open(desc: Descriptor): Promise<Readable> {
    if (!this.store?.has(desc.digest)) throw invalidArgument(`${this.description}: the archive lacks blob ${desc.digest}`);
    return this.store.openRead(desc.digest);
  }

  async close(): Promise<void> {}
}

/** FILE written whole or not at all: a temp file beside it, renamed over it at the end. */
async function intoFile<W extends { abort(): Promise<void> }, T>(
  file: string,
  make: (out: Writable) => W,
  run: (w: W) => Promise<T>,
): Promise<T> {
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${randomUUID()}`);
  const w = make(createWriteStream(tmp));
  try {
    const result = await run(w);
    renameSync(tmp, file);
    return result;
  } catch (e) {
    await w.abort().catch(() => undefined);
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

export class OciArchiveDestination implements ImageDestination {
  readonly layers = 'as-is' as const;
  readonly ociOnly = true;
  readonly parallel = 1;

  constructor(
    readonly description: string,
    private readonly file: string,
    private readonly refName: string | undefined,
  ) {}

  write<T>(_image: SourceImage, body: (w: DestinationWriter) => Promise<T>): Promise<T> {
    return intoFile(
      this.file,
      (out) => new OciArchiveWriter(out),
      (tar) => writeToLayout(tar, this.refName, 'oci-archive', body),
    );
  }
}

export class DockerArchiveDestination implements ImageDestination {
  readonly layers = 'uncompressed' as const;
  readonly ociOnly = false;
  readonly parallel = 1;

  constructor(
    readonly description: string,
    private readonly file: string,
    /** NAME:TAG for RepoTags; else the source's name, if it has one */
    private readonly name: string | undefined,
  ) {}

  write<T>(image: SourceImage, body: (w: DestinationWriter) => Promise<T>): Promise<T> {
    const names = [this.name ?? image.name].filter((n): n is string => n !== undefined);
    return intoFile(
      this.file,
      (out) => new DockerArchiveWriter(out),
      async (tar) => {
        // Layers arrive uncompressed, so a layer's digest is its diff ID.
        const result = await body({
          has: async (desc) => tar.hasLayer(desc.digest),
          putBlob: async (desc, open) => {
            await tar.addLayer(desc.digest, desc.size, () => deferred(open));
            return 'written';
          },
          putManifest: async (m: FinalManifest) => {
            const diffIds = m.parsedConfig.rootfs.diff_ids;
            await tar.addImage(m.manifest.config.digest, m.config, m.parsedConfig as unknown as Record<string, unknown>, diffIds, names);
            return { digest: m.digest };
          },
        });
        await tar.finish();
        return result;
      },
    );
  }
}
