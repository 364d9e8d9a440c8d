import { EngineError, invalidArgument, isEngineError } from '../../core/errdefs.js';
import { readExitFile } from '../../impl/runtime/exit-file.js';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';
import { isActive } from './state.js';
import { finalizeExit, refreshContainer } from './sync.js';
import type { ContainerRecord } from './types.js';

/**
 * Docker's wait conditions: `not-running` (now, if it is not running), `next-exit` (the end of
 * the next run, even if it has not started yet: `docker run` waits before it starts), and
 * `removed` (once the container is gone, e.g. by AutoRemove).
 */
export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export const WAIT_CONDITIONS: readonly WaitCondition[] = ['not-running', 'next-exit', 'removed'];

export function parseWaitCondition(v: string | undefined): WaitCondition {
  if (v === undefined || v === '') return 'not-running';
  if (!(WAIT_CONDITIONS as readonly string[]).includes(v)) throw invalidArgument(`invalid condition: "${v}"`);
  return v as WaitCondition;
}

// Events from this process wake a waiter at once, other processes' through inotify; the poll
// only covers a lost wake-up.
const POLL_MS = 500;

/** Wakes on every event of the container. */
function watcher(cc: ContainerContext, id: string) {
  let wake: (() => void) | undefined;
  let pending = false;
  const stop = cc.ctx.events.follow({ filters: new Map([['container', [id]]]) }, () => {
    pending = true;
    wake?.();
  });
  return {
    next(signal?: AbortSignal): Promise<void> {
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          signal?.removeEventListener('abort', done);
          wake = undefined;
          pending = false;
          resolve();
        };
        const t = setTimeout(done, POLL_MS);
        wake = done;
        signal?.addEventListener('abort', done);
      });
    },
    stop,
  };
}

/**
 * The exit status of a running container, recorded once it exits. Without `released` it
 * resolves once the exit is recorded (and the die event out), while the rootfs and network
 * are still being released: compose v1 stops following a container at its die event and
 * prints "exited with code N" only if the wait answer is not far behind.
 */
async function exitOf(cc: ContainerContext, c: ContainerRecord, signal: AbortSignal | undefined, released: boolean): Promise<number> {
  const runtime = await cc.runtime(c.config.runtime);
  try {
    const exit = await runtime.wait(cc.runtimeContainer(c), cc.paths(c.id), signal ? { signal } : {});
    // finalizeExit records the exit before its first await; the release follows.
    const done = finalizeExit(cc, c, exit);
    if (released) await done;
    else done.catch(() => undefined);
    return exit.code;
  } catch (e) {
    if (!isEngineError(e, 'Unavailable')) throw e;
    return (await refreshContainer(cc, c)).state.exitCode;
  }
}

/** Waits for `condition`; resolves with the container's exit status (Canceled when `signal` aborts). */
export async function waitForCondition(
  cc: ContainerContext,
  ref: string,
  condition: WaitCondition,
  opts: { signal?: AbortSignal } = {},
): Promise<number> {
  let first: ContainerRecord;
  try {
    first = resolveContainer(cc, ref);
  } catch (e) {
    // Removed already (AutoRemove): by full ID its exit file still tells how it ended.
    if (isEngineError(e, 'NotFound') && /^[0-9a-f]{64}$/.test(ref)) {
      const exit = await readExitFile(ref, cc.paths(ref));
      if (exit) return exit.code;
    }
    throw e;
  }
  const id = first.id;
  const w = watcher(cc, id);
  try {
    // Rows are not refreshed here: a refresh that finds the exit releases the rootfs and
    // network before it returns, and exitOf answers without waiting for that.
    let c = first;
    if (condition === 'not-running' && !isActive(c.state.status)) return c.state.exitCode;
    const startedAt = c.state.startedAt;
    let code: number | undefined = c.state.status === 'exited' ? c.state.exitCode : undefined;
    for (;;) {
      if (opts.signal?.aborted) throw new EngineError('Canceled', `waiting for ${id} was canceled`);
      const row = cc.records.get(id);
      if (!row) {
        if (code !== undefined) return code;
        const exit = await readExitFile(id, cc.paths(id));
        return exit?.code ?? c.state.exitCode;
      }
      c = row;
      if (isActive(c.state.status)) {
        code = await exitOf(cc, c, opts.signal, condition === 'removed');
        if (condition !== 'removed') return code;
        continue;
      }
      if (c.state.status === 'exited' && c.state.startedAt !== startedAt) {
        // It ran and ended between two looks.
        code = c.state.exitCode;
        if (condition !== 'removed') return code;
      }
      await w.next(opts.signal);
    }
  } finally {
    w.stop();
  }
}
