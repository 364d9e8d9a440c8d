/**
 * What a `start` killed between two steps leaves, and its undoing. Each step of start is
 * recorded before or found after it (the monitor's pid in the row and in conmon.pid, the
 * network state in the row before the netns exists, the mount in mountinfo), so the next
 * holder of the container's lock finds it, stops it and releases it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { netnsName, teardownContainerNetwork } from '../networks/container-net.js';
import { containerNetnsPath, removeContainerNetns } from '../networks/container-netns.js';
import { releaseAddresses } from '../networks/store.js';
import type { ContainerContext } from './context.js';
import { unmountRootfs } from './rootfs.js';
import { releaseVolumeMounts } from '../volumes/data-mount.js';
import { isActive } from './state.js';
import { monitorAlive } from './sync.js';
import type { ContainerRecord } from './types.js';

/** What of a container that is not running still holds resources (for `system check`). */
export async function leftoversOf(cc: ContainerContext, c: ContainerRecord): Promise<string[]> {
  if (isActive(c.state.status)) return [];
  const found: string[] = [];
  const monitor = await liveMonitor(cc, c);
  if (monitor) found.push(`conmon ${monitor}`);
  if (c.state.net) found.push(`network state (${c.state.net.attachments.map((a) => `${a.network} ${a.ip}`).join(', ') || 'netns only'})`);
  if (existsSync(containerNetnsPath(cc.ctx, c.id))) found.push(`netns ${netnsName(c.id)}`);
  if (isMounted(cc.paths(c.id).rootfs)) found.push('rootfs mount');
  return found;
}

async function liveMonitor(cc: ContainerContext, c: ContainerRecord): Promise<number | undefined> {
  if (monitorAlive(c.state.conmonPid)) return c.state.conmonPid;
  const runtime = await cc.runtime(c.config.runtime);
  return runtime.monitorPid(cc.runtimeContainer(c));
}

function isMounted(target: string): boolean {
  try {
    const want = target.replace(/ /g, '\\040');
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === want);
  } catch {
    return false;
  }
}

/**
 * Called holding the lock of a container that is not running: stops a monitor a killed start
 * left (the container may even run), then releases runtime state, mount, network and leases.
 */
export async function undoInterruptedStart(cc: ContainerContext, c: ContainerRecord): Promise<void> {
  const runtime = await cc.runtime(c.config.runtime);
  const monitor = await liveMonitor(cc, c);
  if (monitor) {
    await runtime.kill(c.id, 'SIGKILL', true).catch(() => undefined);
    await runtime.delete(c.id, true).catch(() => undefined);
    // conmon leaves once its container is gone; a monitor that outlives that is killed.
    for (let i = 0; i < 100 && monitorAlive(monitor); i++) await delay(20);
    if (monitorAlive(monitor)) process.kill(monitor, 'SIGKILL');
  }
  const paths = cc.paths(c.id);
  if (monitor || existsSync(join(paths.bundle, 'config.json'))) await runtime.delete(c.id, true).catch(() => undefined);
  unmountRootfs(paths.rootfs);
  // A volume mounted for this start and used by nobody else (the start died before running).
  await releaseVolumeMounts(cc.ctx, c.id);
  await teardownContainerNetwork(cc, c.id);
  await removeContainerNetns(containerNetnsPath(cc.ctx, c.id), c.id);
  // A lease taken just before a kill, while the row did not name it yet.
  releaseAddresses(cc.ctx, c.id);
  if (c.state.conmonPid || c.state.pid) cc.records.updateState(c.id, (s) => (isActive(s.status) ? false : { ...s, conmonPid: 0, pid: 0 }));
  if (monitor) rmSync(join(paths.exitDir, c.id), { force: true });
}

/**
 * A create killed after its row but before the layer directory and userdata were complete:
 * the row is the intent, so the rest is made (again) before the first start uses it.
 */
export function redoInterruptedCreate(cc: ContainerContext, c: ContainerRecord): void {
  const ctx = cc.ctx;
  if (c.layerId) {
    let whole = ctx.driver.exists(c.layerId);
    if (whole) {
      try {
        ctx.driver.mounts(c.layerId);
      } catch {
        whole = false;
      }
    }
    if (!whole) {
      try {
        ctx.driver.remove(c.layerId);
      } catch {
        // nothing there
      }
      ctx.driver.create(c.layerId, ctx.records.layer(c.layerId)?.parent ?? null);
    }
  }
  mkdirSync(cc.paths(c.id).userdata, { recursive: true, mode: 0o700 });
}
