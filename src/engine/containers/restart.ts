/**
 * Restart policies without a daemon: conmon's exit command (`container cleanup`) records the
 * exit, then decides here; a restart is the `restarting` state with a due time, which the
 * timers (engine/timers/) act on after Docker's back-off.
 */
import { hasRestartPolicy, nextDelayMs, restartsAtBoot, shouldRestart } from '../../core/restart-backoff.js';
import type { ContainerContext } from './context.js';
import { refreshContainer } from './sync.js';
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

/** Applies the policy to the last exit, once. True when a restart was scheduled. */
export function applyRestartPolicy(cc: ContainerContext, id: string): boolean {
  let scheduled = false;
  cc.records.updateState(id, (s, row) => {
    if (s.status !== 'exited' || s.policyAppliedTo === s.finishedAt) return false;
    const p = row.config.restartPolicy;
    if (!shouldRestart(p, s.exitCode, s.restartCount ?? 0, !!s.userStopped)) return { ...s, policyAppliedTo: s.finishedAt };
    const ran = Date.parse(s.finishedAt) - Date.parse(s.startedAt);
    const delay = nextDelayMs(s.restartDelayMs ?? 0, ran);
    scheduled = true;
    return { ...s, status: 'restarting', restartAt: Date.now() + delay, restartDelayMs: delay, policyAppliedTo: s.finishedAt };
  });
  return scheduled;
}

/** The back-off is over: start it again (the timers call this). A failed start leaves it exited. */
export async function restartByPolicy(cc: ContainerContext, id: string): Promise<void> {
  const c = cc.records.get(id);
  if (!c || c.state.status !== 'restarting') return;
  try {
    await (await import('./start.js')).startContainer(cc, id, { byPolicy: true });
  } catch (e) {
    cc.records.updateState(id, (s) =>
      s.status === 'restarting' ? { ...s, status: 'exited', restartAt: undefined, error: (e as Error).message } : false,
    );
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
