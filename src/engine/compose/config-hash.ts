/**
 * @module engine/compose/config-hash
 * `com.docker.compose.config-hash`: a digest of what a container was made from, so `up` recreates
 * only services whose configuration changed. As Compose v2 (compose-go's ServiceHash), what only
 * says how many containers or in which order (replicas, scale, depends_on, profiles) or how an
 * image is obtained (build, pull_policy) is left out: changing it recreates nothing.
 */
import { createHash } from 'node:crypto';
import type { ServiceConfig } from '../../core/compose/types.js';

export function serviceHash(svc: ServiceConfig): string {
  const { build: _b, pull_policy: _p, scale: _s, depends_on: _d, profiles: _pr, deploy, ...rest } = svc;
  const d = deploy && typeof deploy === 'object' ? { ...(deploy as Record<string, unknown>) } : undefined;
  if (d) delete d.replicas;
  return createHash('sha256').update(stableJson(d && Object.keys(d).length ? { ...rest, deploy: d } : rest)).digest('hex');
}

/** JSON with object keys sorted, so the digest does not depend on the order keys were written. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}
