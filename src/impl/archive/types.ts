/**
 * @module archive/types
 * What the archive readers and writers exchange with the engine: images described by blobs
 * that live in the ContentStore.
 */
import type { Descriptor } from '../../core/content/content.js';
import type { ImageConfig, Manifest } from '../../core/images/oci.js';

export interface ArchiveLayer {
  /** sha256 of the uncompressed layer tar (the config's rootfs.diff_ids entry). */
  diffId: string;
  /** Byte length of the uncompressed tar; a docker-archive tar header needs it up front. */
  uncompressedSize: number;
  /** The blob as stored: its mediaType says whether it is gzip, zstd or a plain tar. */
  blob: Descriptor;
}

export interface ArchiveImage {
  /**
   * Names to record. Archive writers take fully-qualified refs
   * (docker.io/library/busybox:latest); the OCI layout writers put each one verbatim into an
   * `org.opencontainers.image.ref.name` annotation, so `oci:DIR:TAG` callers pass the tag.
   */
  names: string[];
  /** The config blob, already in the store. */
  configDigest: string;
  /** The stored manifest; an OCI manifest here is written as is, keeping its digest. */
  manifestDigest?: string;
  layers: ArchiveLayer[];
}

export interface LoadedImage {
  /** Fully-qualified, normalised refs (docker.io/library/busybox:latest). May be empty. */
  names: string[];
  /**
   * An OCI index entry's `org.opencontainers.image.ref.name` that was only a tag (skopeo's
   * `oci-archive:FILE:TAG` writes these): it names no repository, so it is not in `names`;
   * the caller decides what to call the image.
   */
  refTags: string[];
  configDigest: string;
  config: ImageConfig;
  /** OCI or Docker schema2; every descriptor in it points at a blob now in the store. */
  manifest: Manifest;
  /** The manifest's blob, in the store. Docker archives carry none, so one is made for them. */
  manifestDigest: string;
}
