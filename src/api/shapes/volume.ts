/** Docker's volume document; `system df` adds UsageData. */
import type { VolumeInspect } from '../../engine/volumes/index.js';

export function volumeDoc(v: VolumeInspect, usage?: { Size: number; RefCount: number }) {
  return {
    CreatedAt: v.CreatedAt,
    Driver: v.Driver,
    Labels: v.Labels,
    Mountpoint: v.Mountpoint,
    Name: v.Name,
    Options: v.Options,
    Scope: v.Scope,
    ...(usage ? { UsageData: { Size: usage.Size, RefCount: usage.RefCount } } : {}),
  };
}
