/** `volume inspect`: Docker's volume JSON. */
export interface VolumeInspect {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string>;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string>;
  Scope: 'local';
}

/** `volume ls` rows carry the usage too, so `--format '{{.Links}}'` works. */
export interface VolumeSummary extends VolumeInspect {
  /** Containers that mount it (running or not). */
  RefCount: number;
  Anonymous: boolean;
}

export interface VolumeCreateOptions {
  name?: string;
  driver?: string;
  labels?: Record<string, string>;
  /** `-o KEY=VALUE` for the local driver. */
  options?: Record<string, string>;
}

export interface VolumeRemoveOptions {
  /** Ignore missing volumes, and remove volumes only stopped containers use. */
  force?: boolean;
}

export interface VolumePruneOptions {
  /** Docker ≥ 23: without it only anonymous volumes are pruned. */
  all?: boolean;
  filters?: Map<string, string[]>;
}

export interface VolumePruneReport {
  VolumesDeleted: string[];
  SpaceReclaimed: number;
}

/** One row of `system df`'s volumes. */
export interface VolumeUsage {
  Name: string;
  Size: number;
  RefCount: number;
}

/** Docker labels anonymous volumes so that `volume prune` can tell them apart. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';
