/**
 * `--volumes-from CONTAINER[:ro|rw]` / `HostConfig.VolumesFrom`: the other container's volumes
 * and binds, at the same destinations, as dockerd copies them at create. A mode given here
 * replaces each copied mount's own; without one each keeps its own. This container's binds,
 * named volumes and tmpfs win over a copied mount at the same destination; a copied mount wins
 * over an anonymous volume (dockerd's `-v /dir` and Config.Volumes, which it plans last).
 */
import { posix } from 'node:path';
import { invalidArgument } from '../../core/errdefs.js';
import type { MountRequest } from '../../core/runtime/create-options.js';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';

function norm(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/$/, '') : n;
}

function parseRef(spec: string): { ref: string; mode?: 'ro' | 'rw' } {
  const i = spec.lastIndexOf(':');
  if (i < 0) return { ref: spec };
  const mode = spec.slice(i + 1);
  if (mode !== 'ro' && mode !== 'rw') throw invalidArgument(`invalid mode: ${mode}`);
  return { ref: spec.slice(0, i), mode };
}

function copied(m: MountRequest, from: string, mode?: 'ro' | 'rw'): MountRequest | undefined {
  if (m.type === 'tmpfs') return undefined;
  const own = (m.options ?? []).filter((o) => o !== 'ro' && o !== 'rw');
  const options = mode ? [...own, mode] : (m.options ?? []);
  if (m.type === 'bind') return { type: 'bind', source: m.source, destination: m.destination, options, fromContainer: from };
  return { type: 'volume', ...(m.name !== undefined ? { name: m.name } : {}), destination: m.destination, options, fromContainer: from };
}

/** The request's mounts with those of the `volumesFrom` containers merged in. */
export function withVolumesFrom(cc: ContainerContext, mounts: readonly MountRequest[], volumesFrom: readonly string[] | undefined, tmpfs: readonly string[] = []): MountRequest[] {
  if (!volumesFrom?.length) return [...mounts];
  const inherited = new Map<string, MountRequest>();
  for (const spec of volumesFrom) {
    const { ref, mode } = parseRef(spec);
    const src = resolveContainer(cc, ref);
    for (const m of src.config.opts.mounts ?? []) {
      const c = copied(m, src.id, mode);
      if (c) inherited.set(norm(c.destination), c);
    }
  }
  const own = mounts.filter((m) => !(m.type === 'volume' && m.name === undefined && inherited.has(norm(m.destination))));
  const taken = new Set([...own.map((m) => m.destination), ...tmpfs.map((t) => t.split(':')[0]!)].map(norm));
  return [...own, ...[...inherited.values()].filter((m) => !taken.has(norm(m.destination)))];
}
