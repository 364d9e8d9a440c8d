import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crashPoint } from '../../sys/crash-point.js';
import type { ExitInfo } from '../../core/oci-runtime/runtime.js';
import { isEngineError } from '../../core/errdefs.js';
import { readExitFile } from '../../impl/runtime/exit-file.js';
import { writeTxAsync } from '../../impl/metadata/db.js';
import { removeLayersIfUnusedAsync } from '../gc.js';
import { anonymousVolumesOf } from '../volumes/mounts.js';
import { removeIfUnused } from '../volumes/ops.js';
import { releaseVolumeMounts } from '../volumes/data-mount.js';
import type { ContainerContext } from './context.js';
import { unmountRootfs } from './rootfs.js';
import { teardownContainerNetwork } from '../networks/container-net.js';
import { isActive } from './state.js';
import { containerEvent } from './events.js';
import type { ContainerRecord } from './types.js';
import { policyState } from './restart-apply.js';

/**
 * conmon is alive under that pid (a reboot may have given the pid to something else). A zombie
 * counts as dead: a killed conmon is reparented to PID 1, which may take its time to reap it.
 */
export function monitorAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    // "pid (comm) state …"
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.includes(' (conmon) ') && stat.slice(stat.lastIndexOf(') ') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Brings a container's row up to date with the world: an exit file means it exited; a dead
 * monitor without one (the run root was wiped by a reboot, or conmon was killed) means it is
 * gone, recorded as Docker records a lost container, with status 255.
 */
export async function refreshContainer(cc: ContainerContext, c: ContainerRecord): Promise<ContainerRecord> {
  if (!isActive(c.state.status)) return c;
  const exit = await readExitFile(c.id, cc.paths(c.id));
  if (exit) return finalizeExit(cc, c, exit);
  if (!monitorAlive(c.state.conmonPid)) {
    const again = await readExitFile(c.id, cc.paths(c.id));
    return finalizeExit(cc, c, again ?? { code: 255, exitedAt: new Date(), oomKilled: false }, again ? '' : 'container monitor is gone');
  }
  return c;
}

const RELEASE_GRACE_MS = 60_000;

/**
 * Records the exit and releases what a running container holds (runtime state, rootfs
 * mount). Idempotent: conmon's exit command, `wait` and `ps` may all get here.
 */
export async function finalizeExit(
  cc: ContainerContext,
  c: ContainerRecord,
  exit: ExitInfo,
  error = '',
): Promise<ContainerRecord> {
  let died = false;
  const updated =
    cc.records.updateState(c.id, (s, row) => {
      if (!(isActive(s.status) || s.status === 'created')) return false;
      died = true;
      const exited = {
        ...s,
        status: 'exited' as const,
        exitCode: exit.code,
        oomKilled: exit.oomKilled,
        finishedAt: exit.exitedAt.toISOString(),
        pid: 0,
        conmonPid: 0,
        error,
      };
      // The restart policy decides in the same write, so no reader sees a restarting container
      // as exited; a lost container (a reboot) waits for `start --all` instead. The back-off
      // counts from the end of the release below (a minute if this process dies meanwhile).
      const next = !error && policyState(exited, row);
      return next && next.status === 'restarting' ? { ...next, restartAt: Date.now() + RELEASE_GRACE_MS } : next || exited;
    }) ?? c;
  if (died) containerEvent(cc, updated, 'die', { exitCode: String(exit.code) });
  crashPoint('exit:recorded');
  await releaseResources(cc, c);
  crashPoint('exit:released');
  if (died && updated.state.status === 'restarting') {
    cc.records.updateState(c.id, (s) =>
      s.status === 'restarting' && s.policyAppliedTo === updated.state.policyAppliedTo
        ? { ...s, restartAt: Date.now() + (s.restartDelayMs ?? 0) }
        : false,
    );
    cc.opts.wakeTimers?.();
  }
  if (c.config.autoRemove) {
    try {
      await deleteContainer(cc, updated, { volumes: true, released: true });
    } catch (e) {
      if (!isEngineError(e, 'NotFound')) throw e;
    }
  }
  return updated;
}

export async function releaseResources(cc: ContainerContext, c: ContainerRecord): Promise<void> {
  const runtime = await cc.runtime(c.config.runtime);
  // The runtime's delete of a stopped container removes its state and cgroups, never the
  // rootfs: it runs (a process of its own) while this one unmounts and tears the network down.
  const deleted = runtime.delete(c.id, true).catch(() => undefined);
  try {
    unmountRootfs(cc.paths(c.id).rootfs);
    await releaseVolumeMounts(cc.ctx, c.id);
    await teardownContainerNetwork(cc, c.id);
  } finally {
    await deleted;
  }
}

/** Removes the row, the writable layer and the container's directories; with `volumes`, its anonymous volumes (rm -v, --rm). */
export async function deleteContainer(
  cc: ContainerContext,
  c: ContainerRecord,
  opts: { volumes?: boolean; released?: boolean } = {},
): Promise<void> {
  const paths = cc.paths(c.id);
  if (!opts.released) await releaseResources(cc, c);
  crashPoint('rm:released');
  const anonymous = opts.volumes ? anonymousVolumesOf(cc.ctx, c.id) : [];
  let deleted = false;
  await writeTxAsync(cc.ctx.db, () => {
    deleted = !!cc.records.get(c.id);
    cc.records.delete(c.id);
  });
  if (deleted) containerEvent(cc, c, 'destroy');
  cc.ctx.locks.markGone('container', c.id);
  crashPoint('rm:row');
  await removeIfUnused(cc.ctx, anonymous);
  // On the thread pool too: a writable layer's tree was ~20 ms of synchronous unlinks per `run --rm`.
  if (c.layerId) await removeLayersIfUnusedAsync(cc.ctx, [c.layerId]);
  crashPoint('rm:layer');
  // On the thread pool: unlinks behind a busy disk's journal held the service's loop.
  await rm(paths.runDir, { recursive: true, force: true });
  await rm(paths.userdata.replace(/\/userdata$/, ''), { recursive: true, force: true });
  // An auto-removed container's exit file stays a while: conmon's exit command removes the
  // container as soon as it exits, and a foreground `run --rm` may not have read the status yet.
  if (!c.config.autoRemove) await rm(join(paths.exitDir, c.id), { force: true });
  sweepExitFiles(cc, paths.exitDir);
}

const EXIT_FILE_GRACE_MS = 5 * 60_000;
// A sweep looks at every exit file (a query and a stat each): run after every removal, 50
// `run --rm` at once made it quadratic on the service's loop. Files wait 5 minutes anyway.
const SWEEP_EVERY_MS = 30_000;
const lastSweep = new Map<string, number>();

/** Removes exit files of containers that are gone, once nobody can still be waiting for them. */
function sweepExitFiles(cc: ContainerContext, exitDir: string): void {
  const now = Date.now();
  if (now - (lastSweep.get(exitDir) ?? 0) < SWEEP_EVERY_MS) return;
  lastSweep.set(exitDir, now);
  let names: string[];
  try {
    names = readdirSync(exitDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!/^[0-9a-f]{64}$/.test(name) || cc.records.get(name)) continue;
    try {
      if (now - statSync(join(exitDir, name)).mtimeMs > EXIT_FILE_GRACE_MS) rmSync(join(exitDir, name), { force: true });
    } catch {
      // removed by a concurrent sweep
    }
  }
}
