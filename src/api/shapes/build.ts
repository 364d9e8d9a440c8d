/**
 * The classic builder's JSON stream (what `DOCKER_BUILDKIT=0 docker build` prints) from the
 * engine's build events: `Step n/N : …`, ` ---> <id>`, RUN output, the `aux` ID, and
 * `Successfully built` / `Successfully tagged`.
 */
import type { BuildCacheEntry, BuildEvent, BuildResult } from '../../engine/build/index.js';
import { familiarName } from '../../core/images/reference.js';
import { pullProgress, type JsonMessage } from './progress.js';

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** A build's shaper: Docker numbers steps over every stage the build runs (the event's index/total). */
export function buildProgress(quiet: boolean): { onEvent: (e: BuildEvent) => JsonMessage[]; done: (r: BuildResult) => JsonMessage[] } {
  const pulls = new Map<string, ReturnType<typeof pullProgress>>();
  return {
    onEvent(e) {
      if (quiet) return [];
      switch (e.type) {
        case 'step':
          return [{ stream: `Step ${e.index}/${e.total} : ${e.instruction}` }, { stream: '\n' }];
        case 'cache-hit':
          return [{ stream: ' ---> Using cache\n' }];
        case 'step-done':
          return [{ stream: ` ---> ${short(e.id)}\n` }];
        case 'output':
          return [{ stream: e.data.toString('utf8') }];
        case 'warning':
          return [{ stream: `[Warning] ${e.message}\n` }];
        case 'committed':
          return [{ stream: ` ---> ${short(e.id)}\n` }];
        case 'pull': {
          let shape = pulls.get(e.image);
          if (!shape) pulls.set(e.image, (shape = pullProgress()));
          return shape(e.progress);
        }
        default:
          return [];
      }
    },
    done(r) {
      if (quiet) return [{ stream: `${r.id}\n` }];
      return [
        { aux: { ID: r.id } },
        { stream: `Successfully built ${short(r.id)}\n` },
        ...r.names.map((n): JsonMessage => ({ stream: `Successfully tagged ${familiarName(n)}\n` })),
      ];
    },
  };
}

/** A build cache record as /system/df lists it (API 1.41: Parent, RFC 3339 times). */
export function buildCacheDoc(e: BuildCacheEntry) {
  return {
    ID: e.Id,
    Parent: '',
    Type: 'regular',
    Description: e.Description,
    InUse: e.InUse,
    Shared: e.Shared,
    Size: e.Size,
    CreatedAt: new Date(e.CreatedAt).toISOString(),
    LastUsedAt: new Date(e.LastUsedAt).toISOString(),
    UsageCount: 0,
  };
}
