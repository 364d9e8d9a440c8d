/**
 * `update`: new resource limits and restart policy for a container. A running (or paused)
 * container gets them at once through `runtime update`; the row keeps them, so the spec of
 * every later start has them and inspect shows them.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ResourceOptions } from '../../core/runtime/create-options.js';
import { buildResources } from '../../core/runtime/resources.js';
import { checkRestartPolicy } from './restart-policy.js';
import { checkRootlessLimits } from './rootless-limits.js';
import { invalidArgument } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';
import { isActive } from './state.js';
import { refreshContainer } from './sync.js';
import { containerEvent } from './events.js';
import type { RestartPolicy } from './types.js';

/** Only what is given changes (Docker: a zero value means "leave it"). */
export interface ContainerUpdateRequest {
  resources?: ResourceOptions;
  restartPolicy?: RestartPolicy;
}

export async function updateContainer(cc: ContainerContext, ref: string, req: ContainerUpdateRequest): Promise<{ id: string; warnings: string[] }> {
  const c = await refreshContainer(cc, resolveContainer(cc, ref));
  const given = Object.fromEntries(Object.entries(req.resources ?? {}).filter(([, v]) => v !== undefined)) as ResourceOptions;
  const warnings: string[] = [];
  checkRootlessLimits(given);
  if (given.blkioWeight && !blkioWeightSupported()) {
    // dockerd's words and behaviour: the weight is dropped, the rest is applied.
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    delete given.blkioWeight;
  }
  const old = c.config.opts.resources ?? {};
  if (given.memory !== undefined && given.memorySwap === undefined && old.memorySwap && old.memorySwap > 0 && given.memory > old.memorySwap) {
    throw invalidArgument('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
  }
  const merged: ResourceOptions = { ...old, ...given };
  const restartPolicy = req.restartPolicy;
  checkRestartPolicy(restartPolicy, false);
  if (restartPolicy && restartPolicy.name !== 'no' && restartPolicy.name !== '' && c.config.autoRemove) {
    throw invalidArgument('Restart policy cannot be updated because AutoRemove is enabled for the container');
  }
  // The same checks and defaults as create's spec, so what is stored will start.
  const resources: Record<string, unknown> = buildResources(merged, cc.ctx.config.containers.pidsLimit);
  // Left out, a limit keeps its value in the runtime: unlimited has to be said (-1 = "max").
  if (given.pidsLimit !== undefined && given.pidsLimit <= 0) resources.pids = { limit: -1 };
  if (isActive(c.state.status) && Object.keys(given).length) {
    const runtime = await cc.runtime(c.config.runtime);
    await runtime.update(cc.runtimeContainer(c), resources);
  }
  const row = cc.records.updateConfig(c.id, (config) => ({
    ...config,
    opts: { ...config.opts, resources: { ...config.opts.resources, ...given } },
    ...(restartPolicy ? { restartPolicy } : {}),
  }));
  if (row) containerEvent(cc, row, 'update');
  return { id: c.id, warnings };
}

/** cgroup v1: a blkio weight file (CFQ's or BFQ's); v2: the io controller. */
function blkioWeightSupported(): boolean {
  try {
    return readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').split(/\s+/).includes('io');
  } catch {
    return existsSync('/sys/fs/cgroup/blkio/blkio.weight') || existsSync('/sys/fs/cgroup/blkio/blkio.bfq.weight');
  }
}
