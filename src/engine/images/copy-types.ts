/** Options and result of `image copy`, `manifest inspect`, `image inspect --remote` and `image tree`. */
import type { Descriptor, Platform } from '../../core/content/content.js';
import type { RemoteOptions } from './remote-types.js';
import type { SignOptions } from './sign.js';

export interface ImageCopyOptions {
  /** registry options for a `docker://` source */
  src?: RemoteOptions;
  /** registry options for a `docker://` destination */
  dest?: RemoteOptions;
  /** `os/arch[/variant]` chosen from a multi-platform source; default the host's */
  platform?: string;
  /** policy.json a `docker://` source is checked against (default as pull's) */
  signaturePolicy?: string;
  /** the only registries.d directory read for a `docker://` source's signatures */
  registriesDir?: string;
  /** GPG simple signing of a `docker://` destination */
  sign?: SignOptions;
}

export interface ImageCopyResult {
  /** the manifest digest at the destination (for docker-archive, of the schema2 manifest it implies) */
  digest: string;
  /** the image ID, when the destination is the local store */
  id?: string;
  /** blobs the destination already held */
  skippedBlobs: number;
  mountedBlobs: number;
  copiedBlobs: number;
  /** where the signature was written, with `sign` */
  signature?: string;
}

export interface RemoteManifest {
  /** `host/repo:tag` or `host/repo@digest` */
  name: string;
  digest: string;
  mediaType: string;
  /** the document exactly as the registry sent it */
  bytes: Buffer;
}

/** What the registry says a reference names (dockerd's `GET /distribution/{name}/json`). */
export interface RemoteDistribution {
  descriptor: Descriptor;
  /** every platform of an index; a manifest's own, from its config */
  platforms: Platform[];
}

/** `image inspect --remote`, shaped as `skopeo inspect` prints it. */
export interface RemoteImageInspect {
  Name: string;
  Digest: string;
  RepoTags: string[];
  Created?: string;
  DockerVersion: string;
  Labels: Record<string, string> | null;
  Architecture: string;
  Variant?: string;
  Os: string;
  Layers: string[];
  LayersData: { MIMEType: string; Digest: string; Size: number; Annotations: Record<string, string> | null }[];
  Env: string[] | null;
}

export interface ImageTreeLayer {
  id: string;
  size: number;
  /** names (or short IDs) of the images whose top layer this is */
  topOf: string[];
  /** with --whatrequires: layers stacked on this one by other images */
  children?: ImageTreeLayer[];
}

export interface ImageTree {
  id: string;
  tags: string[];
  size: number;
  /** bottom-up; with --whatrequires, the image's top layer followed by the layers stacked on it */
  layers: ImageTreeLayer[];
}
