/**
 * @module lib/system
 * `engine.system`: host and store facts, disk usage, and the prune of everything unused.
 */
import type { Engine as InternalEngine } from '../engine/index.js';
import type { DiskUsage, SystemInfo, SystemPruneReport } from '../engine/index.js';
import { versionInfo } from '../engine/system/info.js';
import type { IdRange, VersionInfo } from '../engine/system/info.js';

export type { DiskUsage, IdRange, SystemInfo, SystemPruneReport, VersionInfo };
export type { DiskUsageImage } from '../engine/system/df.js';
export type { BuildCacheEntry } from '../engine/build/types.js';

export interface SystemPruneOptions {
  /** Every unused image, not only dangling ones. */
  all?: boolean;
  /** Unused volumes too. */
  volumes?: boolean;
}

export interface System {
  info(): Promise<SystemInfo>;
  version(): VersionInfo;
  /** `system df`: what images, containers, volumes and the build cache take. */
  df(): Promise<DiskUsage>;
  /** Stopped containers and pods, unused networks, dangling (or all unused) images, the build cache. */
  prune(opts?: SystemPruneOptions): Promise<SystemPruneReport>;
}

export function systemOf(engine: () => InternalEngine): System {
  return {
    info: async () => engine().info(),
    version: () => versionInfo(),
    df: () => engine().df(),
    prune: (o) => engine().prune(o),
  };
}
