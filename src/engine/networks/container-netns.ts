/**
 * @module engine/networks/container-netns
 * Where a container's network namespace is kept: root's under /run/netns (as `ip netns` keeps
 * them), a rootless user's in their run dir (only root may write /run/netns), made inside the
 * user's namespace, which then owns it.
 */
import { join } from 'node:path';
import { createNetns, createNetnsAt, netnsPath, removeNetns, removeNetnsAt } from '../../impl/network/netns.js';
import { rootlessUid } from '../../sys/linux/rootless-uid.js';
import type { EngineContext } from '../context.js';

export function containerNetnsPath(ctx: EngineContext, id: string): string {
  return rootlessUid() !== undefined ? join(ctx.runroot, 'netns', `skiff-${id}`) : netnsPath(`skiff-${id}`);
}

export async function createContainerNetns(ctx: EngineContext, id: string): Promise<string> {
  const path = containerNetnsPath(ctx, id);
  return path.startsWith('/run/netns/') ? createNetns(`skiff-${id}`) : createNetnsAt(path);
}

/** Idempotent. `path` is the one recorded at setup. */
export async function removeContainerNetns(path: string, id: string): Promise<void> {
  if (path.startsWith('/run/netns/')) await removeNetns(`skiff-${id}`);
  else await removeNetnsAt(path);
}
