/**
 * Restart policies without a daemon: conmon's exit command (`container cleanup`) records the
 * exit, then decides here; a restart is the `restarting` state with a due time, which the
 * timers (engine/timers/) act on after Docker's back-off.
 */
import { hasRestartPolicy, nextDelayMs, restartsAtBoot } from '../../core/restart-backoff.js';
import type { ContainerContext } from './context.js';
export { applyRestartPolicy } from './restart-apply.js';
import { refreshContainer, releaseResources } from './sync.js';
import type { ContainerRecord } from './types.js';

/** A user's stop, kill or rm: that exit restarts nothing; a `restarting` container stays stopped. */
export function markUserStopped(cc: ContainerContext, id: string): void {
  cc.records.updateState(id, (s, row) => {
    if (!hasRestartPolicy(row.config.restartPolicy) && s.status !== 'restarting') return false;
    return s.status === 'restarting'
      ? { ...s, status: 'exited', userStopped: true, restartAt: undefined }
      : { ...s, userStopped: true };
  });
}

/**
 * The back-off is over: start it again (the timers call this). What the last run held is
 * released first: the process that recorded the exit may still be tearing its network down.
 * A failed start is retried with the back-off, up to its one-minute cap, then left exited.
 */
export async function restartByPolicy(cc: ContainerContext, id: string): Promise<void> {
  const c = cc.records.get(id);
  if (!c || c.state.status !== 'restarting') return;
  try {
    await releaseResources(cc, c);
    await (await import('./start.js')).startContainer(cc, id, { byPolicy: true });
  } catch (e) {
    cc.records.updateState(id, (s) => {
      if (s.status !== 'restarting') return false;
      const delay = nextDelayMs(s.restartDelayMs ?? 0, 0);
      const error = (e as Error).message;
      return delay >= 60_000
        ? { ...s, status: 'exited', restartAt: undefined, error }
        : { ...s, restartAt: Date.now() + delay, restartDelayMs: delay, error };
    });
    throw e;
  }
}

/**
 * `start --all --filter restart-policy=always` at boot: the containers whose policy brings
 * them back, once their rows are brought up to date (a wiped run root means they are gone).
 */
export async function containersToRestartAtBoot(cc: ContainerContext): Promise<ContainerRecord[]> {
  const out: ContainerRecord[] = [];
  for (const row of cc.records.list()) {
    const c = await refreshContainer(cc, row);
    if (c.state.status !== 'exited' && c.state.status !== 'restarting') continue;
    if (c.state.startedAt.startsWith('0001-')) continue;
    if (restartsAtBoot(c.config.restartPolicy, !!c.state.userStopped)) out.push(c);
  }
  return out;
}
