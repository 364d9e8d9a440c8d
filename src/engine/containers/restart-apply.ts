import { nextDelayMs, shouldRestart } from '../../core/restart-backoff.js';
import type { ContainerContext } from './context.js';

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
