/**
 * @module engine/images/transports
 * The two ends of `image copy`, in the shape containers/image gives them: a source hands out
 * one image's manifest, config and blob streams; a destination takes blobs, then the manifest,
 * inside one `write` that either completes or leaves the destination as it was.
 *
 * Lifecycle: `openSource` → `image()` (resolves, picks the platform, reads and checks the
 * manifest and config) → `open(desc)` per blob → `close()`. On the other side,
 * `write(image, body)` runs `body` with a writer: `has` / `putBlob` for every layer,
 * `putManifest` (config and manifest) last; when `body` throws, `write` rolls back (temp dir
 * or file removed, lease dropped) and rethrows.
 * Nothing here trusts a source's bytes: the copier wraps every blob in a digest check.
 */
import type { Readable } from 'node:stream';
import type { Descriptor } from '../../../core/content/content.js';
import type { ImageConfig, Manifest } from '../../../core/images/oci.js';

export interface SourceImage {
  /** The manifest as the source holds it: one platform's, when the source has an index. */
  manifest: { bytes: Buffer; mediaType: string; digest: string };
  parsed: Manifest;
  /** Checked against the manifest's config descriptor. */
  config: Buffer;
  parsedConfig: ImageConfig;
  /** Fully-qualified name the source knows the image by; a destination that names none uses it. */
  name?: string;
  /** For a registry source: the digest the reference resolved to (index or manifest), for RepoDigests. */
  repoDigest?: { repo: string; digest: string };
  /** For a registry source: where a destination on the same registry can mount blobs from. */
  registry?: { host: string; repo: string };
}

export interface ImageSource {
  /** The location as the user wrote it, for messages. */
  readonly description: string;
  image(): Promise<SourceImage>;
  /** One blob of the image; the caller verifies it. */
  open(desc: Descriptor): Promise<Readable>;
  close(): Promise<void>;
}

/** How a destination wants layers: registries want them compressed, docker-archive wants plain tars. */
export type LayerForm = 'as-is' | 'compressed' | 'uncompressed';

export type BlobOutcome = 'exists' | 'mounted' | 'written';

export interface FinalManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
  manifest: Manifest;
  config: Buffer;
  parsedConfig: ImageConfig;
}

export interface DestinationWriter {
  /** Whether the destination already holds this blob (so it is not copied again). */
  has(desc: Descriptor): Promise<boolean>;
  /** Stores a blob; `open` is called for its bytes (again, when a retry needs them). */
  putBlob(desc: Descriptor, open: () => Promise<Readable>): Promise<BlobOutcome>;
  /**
   * Last: stores the config (each destination keeps it its own way) and the manifest, which
   * makes the image visible. Returns the manifest digest there, and the image ID for the local store.
   */
  putManifest(m: FinalManifest): Promise<{ digest: string; id?: string; signature?: string }>;
}

export interface ImageDestination {
  readonly description: string;
  readonly layers: LayerForm;
  /** Only OCI manifests (oci layouts), or whatever the source has. */
  readonly ociOnly: boolean;
  /** Blobs written at once; tar outputs take one at a time. */
  readonly parallel: number;
  /** Runs `body` for this image; if anything throws, nothing it wrote stays visible. */
  write<T>(image: SourceImage, body: (w: DestinationWriter) => Promise<T>): Promise<T>;
}
