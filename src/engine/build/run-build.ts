import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDockerfile } from '../../core/build/index.js';
import { unmount } from '../../sys/mount.js';
import { crashPoint } from '../../sys/crash-point.js';
import type { ContainerContext } from '../containers/context.js';
import type { EngineContext } from '../context.js';
import { removeBlobsIfUnused, removeLayersIfUnused } from '../gc.js';
import { Lease } from '../images/lease.js';
import { Builder } from './builder.js';
import { openContext } from './context.js';
import type { BuildListener, BuildOptions, BuildResult } from './types.js';

/** Unmounts whatever is still mounted below `dir` (deepest first), then removes it (asynchronously: a context can hold many files). */
export async function removeWorkDir(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && m.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) unmount(m, { detach: true });
  await rm(dir, { recursive: true, force: true });
}

/**
 * `build`: opens the context, parses the Dockerfile, builds the stages the target needs under
 * one lease (so nothing it uses or makes is collected mid-build) and writes the image.
 */
export async function runBuild(ctx: EngineContext, cc: ContainerContext, opts: BuildOptions, emit: BuildListener = () => undefined): Promise<BuildResult> {
  const buildId = randomBytes(8).toString('hex');
  // The build's lock lives as long as this process builds: `system check` removes the work
  // dir and working containers of a build whose lock is free (its process was killed).
  return ctx.locks.with('build', buildId, () => buildLocked(ctx, cc, opts, emit, join(ctx.runroot, 'build', buildId)));
}

async function buildLocked(ctx: EngineContext, cc: ContainerContext, opts: BuildOptions, emit: BuildListener, workDir: string): Promise<BuildResult> {
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  crashPoint('build:workdir');
  try {
    const context = await openContext(opts, workDir);
    crashPoint('build:context');
    const df = parseDockerfile(context.dockerfile, { filename: context.dockerfileName });
    for (const w of df.warnings) emit({ type: 'warning', message: `${context.dockerfileName}:${w.line}: ${w.message}` });
    let made: string[] = [];
    const result = await Lease.with(ctx, async (lease) => {
      const b = new Builder(ctx, cc, lease, opts, emit, context, df, workDir);
      made = b.made;
      try {
        return await b.build();
      } finally {
        b.close();
      }
    });
    crashPoint('build:written');
    if (opts.layers === false) {
      // Without the cache nothing keeps the layers of other steps: they go now, not at the next GC.
      const blobs = made.map((id) => ctx.records.layer(id)?.blobDigest).filter((d): d is string => !!d);
      removeLayersIfUnused(ctx, [...made].reverse());
      removeBlobsIfUnused(ctx, blobs);
    }
    return result;
  } finally {
    await removeWorkDir(workDir);
  }
}
