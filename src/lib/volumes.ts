/**
 * @module lib/volumes
 * `engine.volumes`: named and anonymous volumes of the local driver.
 */
import type { VolumeEngine } from '../engine/volumes/index.js';
import type {
  VolumeCreateOptions, VolumeInspect, VolumePruneReport, VolumeRemoveOptions, VolumeSummary,
} from '../engine/volumes/types.js';
import { filterMap, type Filters } from './common.js';

export type { VolumeCreateOptions, VolumeInspect, VolumePruneReport, VolumeRemoveOptions, VolumeSummary };

export interface VolumePruneOptions {
  /** Named volumes too, not only anonymous ones (Docker ≥ 23's default). */
  all?: boolean;
  filters?: Filters;
}

export interface Volumes {
  create(opts?: VolumeCreateOptions): Promise<VolumeInspect>;
  inspect(name: string): Promise<VolumeInspect>;
  /** `name`, `label`, `driver`, `dangling`. */
  list(filters?: Filters): Promise<VolumeSummary[]>;
  remove(name: string, opts?: VolumeRemoveOptions): Promise<void>;
  prune(opts?: VolumePruneOptions): Promise<VolumePruneReport>;
}

export function volumesOf(volumes: () => VolumeEngine): Volumes {
  return {
    create: (o) => volumes().create(o),
    inspect: async (name) => volumes().inspect(name),
    list: async (f) => volumes().list(filterMap(f)),
    remove: (name, o) => volumes().remove(name, o),
    prune: (o = {}) => volumes().prune({ all: o.all, filters: filterMap(o.filters) }),
  };
}
