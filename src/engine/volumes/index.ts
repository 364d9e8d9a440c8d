/**
 * @module engine/volumes
 * Named and anonymous volumes, local driver only: `<root>/volumes/<name>/_data` with a row in
 * `volumes`; containers' references in `container_volumes` (see mounts.ts for create/start/rm).
 */
import type { EngineContext } from '../context.js';
import {
  createVolume, inspectVolume, listVolumeSummaries, pruneVolumes, removeVolume, volumeUsage,
} from './ops.js';
import type {
  VolumeCreateOptions, VolumeInspect, VolumePruneOptions, VolumePruneReport, VolumeRemoveOptions, VolumeSummary, VolumeUsage,
} from './types.js';

export class VolumeEngine {
  constructor(readonly ctx: EngineContext) {}

  create(opts: VolumeCreateOptions = {}): Promise<VolumeInspect> {
    return createVolume(this.ctx, opts);
  }

  inspect(name: string): VolumeInspect {
    return inspectVolume(this.ctx, name);
  }

  list(filters?: Map<string, string[]>): VolumeSummary[] {
    return listVolumeSummaries(this.ctx, filters);
  }

  remove(name: string, opts?: VolumeRemoveOptions): Promise<void> {
    return removeVolume(this.ctx, name, opts);
  }

  prune(opts?: VolumePruneOptions): Promise<VolumePruneReport> {
    return pruneVolumes(this.ctx, opts);
  }

  usage(): Promise<VolumeUsage[]> {
    return volumeUsage(this.ctx);
  }
}

export type * from './types.js';
