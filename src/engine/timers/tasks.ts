import { activeHealthConfig, initialHealth } from '../../core/health.js';
import type { ContainerRecord } from '../containers/types.js';

/** What a container needs from the timers, and when: a health probe, or the end of a restart back-off. */
export interface TimerTask {
  kind: 'probe' | 'restart';
  id: string;
  at: number;
}

/** The only statuses taskOf finds work in. */
export const TASK_STATUSES = ['restarting', 'running'] as const;

export function taskOf(c: ContainerRecord): TimerTask | undefined {
  if (c.state.status === 'restarting') return { kind: 'restart', id: c.id, at: c.state.restartAt ?? 0 };
  if (c.state.status !== 'running') return undefined;
  const h = activeHealthConfig(c.config.healthcheck);
  if (!h) return undefined;
  const health = c.state.health ?? initialHealth(h, Date.parse(c.state.startedAt));
  return { kind: 'probe', id: c.id, at: health.nextProbe };
}

/** Whether any container needs the timers at all. */
export function timersNeeded(rows: ContainerRecord[]): boolean {
  return rows.some((r) => taskOf(r) !== undefined);
}
