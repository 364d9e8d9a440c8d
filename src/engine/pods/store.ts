import { conflict, notFound } from '../../core/errdefs.js';
import { PodRecords } from '../../impl/metadata/pod-records.js';
import type { EngineContext } from '../context.js';
import type { ContainerContext } from '../containers/context.js';
import type { ContainerRecord } from '../containers/types.js';
import type { PodConfig, PodRecord } from './types.js';

const cache = new WeakMap<EngineContext, PodRecords<PodConfig>>();

export function podRecords(ctx: EngineContext): PodRecords<PodConfig> {
  let r = cache.get(ctx);
  // The context reopens its database after close(): records follow the current handle.
  if (!r || r.db !== ctx.db) cache.set(ctx, (r = new PodRecords<PodConfig>(ctx.db)));
  return r;
}

/** By full ID, name, or unambiguous ID prefix (Podman's lookup order). */
export function resolvePod(ctx: EngineContext, input: string): PodRecord {
  const records = podRecords(ctx);
  let id = records.idByName(input);
  if (!id && /^[a-f0-9]{1,64}$/.test(input)) {
    const ids = records.idsByPrefix(input);
    if (ids.length > 1) throw conflict(`more than one result for pod ID ${input}`);
    id = ids[0];
  }
  const rec = id ? records.get(id) : undefined;
  if (!rec) throw notFound(`no pod with name or ID ${input} found: no such pod`);
  return rec;
}

/** The pod's containers, infra last (members stop before it); `rows` when the caller has read them already. */
export function podContainers(cc: ContainerContext, podId: string, rows: ContainerRecord[] = cc.records.list()): ContainerRecord[] {
  const all = rows.filter((c) => c.config.pod?.id === podId);
  return [...all.filter((c) => !c.config.pod?.isInfra), ...all.filter((c) => c.config.pod?.isInfra)];
}
