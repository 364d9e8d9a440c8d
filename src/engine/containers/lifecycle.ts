import { failedPrecondition, isEngineError } from '../../core/errdefs.js';
import { readExitFile } from '../../impl/runtime/exit-file.js';
import { crashPoint } from '../../sys/crash-point.js';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';
import { guard, isActive } from './state.js';
import { deleteContainer, finalizeExit, refreshContainer } from './sync.js';
import type { ContainerRecord } from './types.js';
import { containerEvent } from './events.js';
import { applyRestartPolicy, markUserStopped } from './restart.js';
import { withContainer } from './locked.js';

async function current(cc: ContainerContext, input: string): Promise<ContainerRecord> {
  return refreshContainer(cc, resolveContainer(cc, input));
}

/** Waits for the exit status (up to `timeoutMs`), then records it. undefined on timeout. */
async function awaitExit(cc: ContainerContext, c: ContainerRecord, timeoutMs?: number): Promise<ContainerRecord | undefined> {
  const runtime = await cc.runtime(c.config.runtime);
  try {
    const exit = await runtime.wait(
      cc.runtimeContainer(c),
      cc.paths(c.id),
      timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) },
    );
    return finalizeExit(cc, c, exit);
  } catch (e) {
    if (isEngineError(e, 'Canceled')) return undefined;
    if (isEngineError(e, 'Unavailable')) return refreshContainer(cc, c);
    throw e;
  }
}

/** `stop`: the stop signal, then SIGKILL after the timeout. Stopping a stopped container is fine. */
export function stopContainer(cc: ContainerContext, input: string, timeoutSec?: number): Promise<ContainerRecord> {
  // Marked inside the lock: a policy's restart in progress holds it, so it has finished (and
  // will not clear the mark) by then, and a later one sees the mark and gives up.
  return withContainer(cc, input, (c) => {
    markUserStopped(cc, c.id);
    return stopLocked(cc, cc.records.get(c.id) ?? c, timeoutSec);
  });
}

async function stopLocked(cc: ContainerContext, c: ContainerRecord, timeoutSec?: number): Promise<ContainerRecord> {
  if (!isActive(c.state.status)) return c;
  const runtime = await cc.runtime(c.config.runtime);
  const signal = c.config.opts.stopSignal ?? c.config.imageConfig.StopSignal ?? 'SIGTERM';
  const timeout = timeoutSec ?? c.config.stopTimeout;
  if (timeout > 0) {
    containerEvent(cc, c, 'kill', { signal });
    await runtime.kill(c.id, signal).catch(() => undefined);
    if (c.state.status === 'paused') await runtime.resume(c.id).catch(() => undefined);
    const done = await awaitExit(cc, c, timeout * 1000);
    if (done) {
      containerEvent(cc, c, 'stop');
      return done;
    }
  }
  containerEvent(cc, c, 'kill', { signal: 'SIGKILL' });
  await runtime.kill(c.id, 'SIGKILL', true).catch(() => undefined);
  if (c.state.status === 'paused') await runtime.resume(c.id).catch(() => undefined);
  const done = (await awaitExit(cc, c, 30_000)) ?? (await refreshContainer(cc, c));
  containerEvent(cc, c, 'stop');
  return done;
}

export function killContainer(cc: ContainerContext, input: string, signal = 'SIGKILL', opts: { byUser?: boolean } = {}): Promise<ContainerRecord> {
  return withContainer(cc, input, async (c) => {
    if (c.state.status === 'restarting' && opts.byUser !== false) {
      // Between two runs: the user's kill ends the restarts.
      markUserStopped(cc, c.id);
      return cc.records.get(c.id) ?? c;
    }
    guard.signal(c);
    if (opts.byUser !== false) markUserStopped(cc, c.id);
    await (await cc.runtime(c.config.runtime)).kill(c.id, signal);
    containerEvent(cc, c, 'kill', { signal });
    // As dockerd and Podman do for SIGKILL: the exit is recorded before kill returns, so an
    // inspect right after says exited (137), not running. A frozen process dies only when thawed.
    if (isSigkill(signal) && c.state.status !== 'paused') return (await awaitExit(cc, c, 10_000)) ?? c;
    return c;
  });
}

function isSigkill(signal: string): boolean {
  return /^(SIG)?KILL$/i.test(signal) || signal === '9';
}

/** `wait`: the container's exit status (at once if it is not running). */
export async function waitContainer(cc: ContainerContext, input: string, opts: { signal?: AbortSignal } = {}): Promise<number> {
  let c: ContainerRecord;
  try {
    c = await current(cc, input);
  } catch (e) {
    // An auto-removed container may be gone before its foreground `run --rm` asks; by full ID
    // its exit file still answers (deleteContainer keeps it a while).
    if (isEngineError(e, 'NotFound') && /^[0-9a-f]{64}$/.test(input)) {
      const exit = await readExitFile(input, cc.paths(input));
      if (exit) return exit.code;
    }
    throw e;
  }
  if (!isActive(c.state.status)) return c.state.exitCode;
  const runtime = await cc.runtime(c.config.runtime);
  const exit = await runtime.wait(cc.runtimeContainer(c), cc.paths(c.id), opts);
  await finalizeExit(cc, c, exit);
  return exit.code;
}

export function pauseContainer(cc: ContainerContext, input: string): Promise<void> {
  return withContainer(cc, input, async (c) => {
    guard.pause(c);
    await (await cc.runtime(c.config.runtime)).pause(c.id);
    cc.records.updateState(c.id, (s) => ({ ...s, status: 'paused' }));
    containerEvent(cc, c, 'pause');
  });
}

export function unpauseContainer(cc: ContainerContext, input: string): Promise<void> {
  return withContainer(cc, input, async (c) => {
    guard.unpause(c);
    await (await cc.runtime(c.config.runtime)).resume(c.id);
    cc.records.updateState(c.id, (s) => ({ ...s, status: 'running' }));
    containerEvent(cc, c, 'unpause');
  });
}

export interface RemoveOptions {
  force?: boolean;
  volumes?: boolean;
  /** The pod's own removal: only then may its infra container go (its members need its namespaces). */
  withPod?: boolean;
}

/** `rm`: refuses a running container unless forced (then kills it first). */
export function removeContainer(cc: ContainerContext, input: string, opts: RemoveOptions = {}): Promise<string> {
  return withContainer(cc, input, (c) => removeLocked(cc, c, opts));
}

async function removeLocked(cc: ContainerContext, c: ContainerRecord, opts: RemoveOptions): Promise<string> {
  if (c.config.pod?.isInfra && !opts.withPod) {
    throw failedPrecondition(`container ${c.id} is the infra container of pod ${c.config.pod.id} and cannot be removed without removing the pod`);
  }
  guard.remove(c, !!opts.force);
  markUserStopped(cc, c.id);
  if (isActive(c.state.status)) {
    const runtime = await cc.runtime(c.config.runtime);
    await runtime.kill(c.id, 'SIGKILL', true).catch(() => undefined);
    if (c.state.status === 'paused') await runtime.resume(c.id).catch(() => undefined);
    c = (await awaitExit(cc, { ...c, config: { ...c.config, autoRemove: false } }, 30_000)) ?? c;
    crashPoint('rm:killed');
  }
  cc.records.updateState(c.id, (s) => ({ ...s, status: 'removing' }));
  crashPoint('rm:removing');
  await deleteContainer(cc, c, { volumes: opts.volumes });
  return c.id;
}

/** Called by conmon's exit command and by `wait`/`ps`: records the exit and cleans up. */
export async function cleanupContainer(cc: ContainerContext, input: string): Promise<void> {
  try {
    // The exit is recorded holding the lock; the policy then schedules a restart, if any.
    const c = await withContainer(cc, input, async (row) => row);
    if (applyRestartPolicy(cc, c.id)) cc.opts.wakeTimers?.();
  } catch (e) {
    if (!isEngineError(e, 'NotFound')) throw e;
  }
}
