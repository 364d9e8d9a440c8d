import type { ImageRunConfig } from '../../core/images/oci.js';

/** One image as `docker images` / GET /images/json see it. */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  /** seconds since the epoch */
  Created: number;
  Size: number;
  SharedSize: number;
  VirtualSize: number;
  Labels: Record<string, string>;
  Containers: number;
  /** fully qualified names, for filters and the CLI */
  Names: string[];
  Dangling: boolean;
}

/** Docker's image inspect document (GET /images/{name}/json). */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  DockerVersion: string;
  Author: string;
  Config: ImageRunConfig;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  VirtualSize: number;
  GraphDriver: { Name: string; Data: Record<string, string> | null };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
  /** podman's extras, handy for scripts */
  Digest: string;
  ManifestType: string;
}

export interface ImageHistoryEntry {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[];
  Size: number;
  Comment: string;
}

export interface ImageListOptions {
  all?: boolean;
  /** key → values, as parsed from --filter */
  filters?: Map<string, string[]>;
}

export interface ImageImportOptions {
  reference?: string;
  changes?: string[];
  message?: string;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface ImageRemoveOptions {
  force?: boolean;
  noPrune?: boolean;
}

export type ImageDeleteResponseItem = { Untagged: string } | { Deleted: string };

export interface ImagePruneOptions {
  all?: boolean;
  filters?: Map<string, string[]>;
}

export interface ImagePruneReport {
  ImagesDeleted: ImageDeleteResponseItem[];
  SpaceReclaimed: number;
}

export type ArchiveFormat = 'docker-archive' | 'oci-archive';

export interface ImageSaveOptions {
  format?: ArchiveFormat;
}

export interface ImageLoadResult {
  /** names loaded, or image ids for images that came without a name */
  loaded: { id: string; names: string[] }[];
}
