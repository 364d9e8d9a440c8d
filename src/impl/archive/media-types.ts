/**
 * @module archive/media-types
 * Layer compression as told by media types and by magic bytes, and the Docker → OCI media
 * type mapping an OCI layout needs.
 */
import { MediaType } from '../../core/images/oci.js';

export type Compression = 'none' | 'gzip' | 'zstd';

export function compressionOfMediaType(mt: string): Compression {
  if (mt.endsWith('+gzip') || mt.endsWith('.tar.gzip')) return 'gzip';
  if (mt.endsWith('+zstd') || mt.endsWith('.tar.zstd')) return 'zstd';
  return 'none';
}

export function compressionOfBytes(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

const DOCKER_TO_OCI: Record<string, string> = {
  [MediaType.DockerManifest]: MediaType.OciManifest,
  [MediaType.DockerManifestList]: MediaType.OciIndex,
  [MediaType.DockerConfig]: MediaType.OciConfig,
  [MediaType.DockerLayer]: MediaType.OciLayer,
  [MediaType.DockerLayerGzip]: MediaType.OciLayerGzip,
  [MediaType.DockerForeignLayerGzip]: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
};

/** OCI equivalent of a Docker media type; OCI (and unknown) types pass through. */
export function ociMediaType(mt: string): string {
  return DOCKER_TO_OCI[mt] ?? mt;
}

export function isManifestMediaType(mt: string | undefined): boolean {
  return mt === MediaType.OciManifest || mt === MediaType.DockerManifest;
}

export function isIndexMediaType(mt: string | undefined): boolean {
  return mt === MediaType.OciIndex || mt === MediaType.DockerManifestList;
}
