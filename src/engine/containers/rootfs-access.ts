import { randomBytes } from 'node:crypto';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { failedPrecondition } from '../../core/errdefs.js';
import { mountStack, unmount } from '../../sys/mount.js';
import type { ContainerContext } from './context.js';
import { mountRootfs, unmountRootfs } from './rootfs.js';
import { isActive } from './state.js';
import { refreshContainer } from './sync.js';
import type { ContainerRecord } from './types.js';

/**
 * Runs `fn` with the container's root filesystem visible on the host. A running container's
 * own mount is used (writes show up inside it at once). A stopped one is mounted for the
 * call: read-only at a private mount point for readers, so a concurrent `start` never sees
 * it; for writers at the container's own mount point, left in place if the container was
 * started meanwhile.
 */
export async function withRootfs<T>(
  cc: ContainerContext,
  c: ContainerRecord,
  opts: { write: boolean },
  fn: (rootfs: string) => Promise<T>,
): Promise<T> {
  if (!c.layerId) throw failedPrecondition(`container ${c.id.slice(0, 12)} has no root filesystem`);
  const paths = cc.paths(c.id);
  if (isActive(c.state.status)) return fn(paths.rootfs);
  if (opts.write) {
    await mountRootfs(cc.ctx, c.layerId, paths.rootfs);
    try {
      return await fn(paths.rootfs);
    } finally {
      const now = cc.records.get(c.id);
      if (!now || !isActive((await refreshContainer(cc, now)).state.status)) unmountRootfs(paths.rootfs);
    }
  }
  const target = join(paths.runDir, `ro-${randomBytes(6).toString('hex')}`);
  mkdirSync(target, { recursive: true });
  try {
    await mountStack(cc.ctx.driver.mounts(c.layerId, { readOnly: true }), target);
    try {
      return await fn(target);
    } finally {
      unmount(target, { detach: true });
    }
  } finally {
    rmdirSync(target);
  }
}
