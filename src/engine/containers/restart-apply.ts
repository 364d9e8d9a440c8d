import { nextDelayMs, shouldRestart } from '../../core/restart-backoff.js';
import type { ContainerContext } from './context.js';
import type { ContainerRecord, ContainerStateRecord } from './types.js';

/**
 * The state after the policy saw the last exit: `restarting` with a due time, or the same exit
 * marked as seen. undefined when there is nothing to decide (not exited, or decided already).
 */
export function policyState(s: ContainerStateRecord, row: ContainerRecord): ContainerStateRecord | undefined {
  if (s.status !== 'exited' || s.policyAppliedTo === s.finishedAt) return undefined;
  const p = row.config.restartPolicy;
  if (!shouldRestart(p, s.exitCode, s.restartCount ?? 0, !!s.userStopped)) return { ...s, policyAppliedTo: s.finishedAt };
  const ran = Date.parse(s.finishedAt) - Date.parse(s.startedAt);
  const delay = nextDelayMs(s.restartDelayMs ?? 0, ran);
  return { ...s, status: 'restarting', restartAt: Date.now() + delay, restartDelayMs: delay, policyAppliedTo: s.finishedAt };
}

/** Applies the policy to the last exit, once. True when a restart was scheduled. */
export function applyRestartPolicy(cc: ContainerContext, id: string): boolean {
  let scheduled = false;
  cc.records.updateState(id, (s, row) => {
    const next = policyState(s, row);
    scheduled = next?.status === 'restarting';
    return next ?? false;
  });
  return scheduled;
}
