/**
 * @module engine/build
 * `build` (Dockerfile/Containerfile builds with a per-instruction cache and multi-stage
 * builds), `builder prune` and the build cache's share of `system df`. RUN steps run in
 * working containers of the container engine; their layers are the containers' own.
 */
import type { ContainerContext } from '../containers/context.js';
import type { EngineContext } from '../context.js';
import { buildCacheUsage, pruneBuildCache } from './cache-admin.js';
import type { BuildCacheEntry, BuildListener, BuildOptions, BuildPruneOptions, BuildPruneReport, BuildResult } from './types.js';

export type * from './types.js';
export { normalizeBuildRun, type BuildRunInput } from './run-settings.js';

export class BuildEngine {
  constructor(
    private readonly ctx: EngineContext,
    private readonly cc: () => ContainerContext,
  ) {}

  /** Builds an image; `onEvent` hears each step as podman prints it. */
  async build(opts: BuildOptions, onEvent?: BuildListener): Promise<BuildResult> {
    return (await import('./run-build.js')).runBuild(this.ctx, this.cc(), opts, onEvent);
  }

  cacheUsage(): BuildCacheEntry[] {
    return buildCacheUsage(this.ctx);
  }

  prune(opts?: BuildPruneOptions): BuildPruneReport {
    return pruneBuildCache(this.ctx, opts);
  }
}
