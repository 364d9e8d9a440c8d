/**
 * @module lib/builder
 * `engine.builder`: Dockerfile builds (RUN steps run as containers of this engine) and the
 * build cache.
 */
import { Readable } from 'node:stream';
import type { BuildEngine } from '../engine/build/index.js';
import type { BuildEvent, BuildPruneReport, BuildResult } from '../engine/build/types.js';
import { cancellable, type Cancellable } from './common.js';

export type { BuildEvent, BuildPruneReport, BuildResult };

/**
 * A build. The context is a directory (`contextDir`), a tar stream (`contextTar`, plain, gzip
 * or zstd), or nothing: then the Dockerfile is `dockerfile` text and the context is empty.
 */
export interface BuildOptions extends Cancellable {
  /** A directory on this host, read in place. */
  contextDir?: string;
  /** A tar archive of the context. */
  contextTar?: Readable;
  /** The Dockerfile's text. Without it: `dockerfilePath`, else Containerfile or Dockerfile in the context. */
  dockerfile?: string;
  /** Path of the Dockerfile inside the context (or on the host, for a `contextDir`). */
  dockerfilePath?: string;
  /** Names for the image. */
  tags?: string[];
  /** The stage to build (default: the last). */
  target?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  noCache?: boolean;
  /** When to pull base images: `missing` (default), `always`, `never`. */
  pull?: 'missing' | 'always' | 'never';
  /** Network of RUN steps: `bridge` (default), `none`, `host`, or a network name. */
  network?: string;
  /** Image format: `oci` (default) or `docker`. */
  format?: 'oci' | 'docker';
  /** Each step as it runs, RUN output included. */
  onEvent?: (event: BuildEvent) => void;
}

export interface Builder {
  build(opts: BuildOptions): Promise<BuildResult>;
  /** Empties the build cache (entries last used before `until`, ms since the epoch, with it). */
  prune(opts?: { until?: number }): Promise<BuildPruneReport>;
}

export function builderOf(builder: () => BuildEngine): Builder {
  return {
    build: (o) =>
      cancellable(o.signal, 'build', () => {
        const context = o.contextDir
          ? ({ kind: 'dir', path: o.contextDir } as const)
          : ({ kind: 'stream', stream: o.contextTar ?? (o.dockerfile !== undefined ? Readable.from([Buffer.from(o.dockerfile)]) : Readable.from([])) } as const);
        // A Dockerfile given as text with no other context: the stream itself is the Dockerfile.
        const textIsContext = !o.contextDir && !o.contextTar;
        return builder().build(
          {
            context,
            ...(o.dockerfile !== undefined && !textIsContext ? { dockerfileText: o.dockerfile } : {}),
            ...(o.dockerfilePath ? { dockerfile: o.dockerfilePath } : {}),
            tags: o.tags,
            target: o.target,
            buildArgs: o.buildArgs,
            labels: o.labels,
            noCache: o.noCache,
            pull: o.pull,
            network: o.network,
            format: o.format,
            env: process.env,
            ...(o.signal ? { signal: o.signal } : {}),
          },
          o.onEvent,
        );
      }),
    prune: async (o = {}) => builder().prune(o.until !== undefined ? { until: o.until } : {}),
  };
}
