/**
 * The timers' work, wherever they run (the on-demand timer process, the API service): wake at
 * the next due task (and at least every second, to see new containers), run what is due, one
 * task per container at a time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerContext } from '../containers/context.js';
import { runHealthcheck } from '../containers/health.js';
import { restartByPolicy } from '../containers/restart.js';
import { TASK_STATUSES, taskOf, type TimerTask } from './tasks.js';

const POLL_MS = 1000;

export interface TimerLoopOptions {
  /** The timer process ends once no container needs it; the service's loop never does. */
  exitWhenIdle: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

async function runTask(cc: ContainerContext, t: TimerTask): Promise<void> {
  if (t.kind === 'probe') await runHealthcheck(cc, t.id);
  else await restartByPolicy(cc, t.id);
}

export async function runTimerLoop(cc: ContainerContext, opts: TimerLoopOptions): Promise<void> {
  const inflight = new Map<string, Promise<void>>();
  // A task that failed before it could move its due time waits a second, rather than spin.
  const cooldown = new Map<string, number>();
  const log = opts.log ?? (() => undefined);
  while (!opts.signal?.aborted) {
    const now = Date.now();
    let next = now + POLL_MS;
    let needed = false;
    for (const row of cc.records.listByStatus(TASK_STATUSES)) {
      const t = taskOf(row);
      if (!t) continue;
      needed = true;
      if (inflight.has(t.id)) continue;
      const at = Math.max(t.at, cooldown.get(t.id) ?? 0);
      if (at > now) {
        next = Math.min(next, at);
        continue;
      }
      const p = runTask(cc, t)
        .catch((e: unknown) => {
          cooldown.set(t.id, Date.now() + POLL_MS);
          log(`${t.kind} ${t.id.slice(0, 12)}: ${(e as Error).message}`);
        })
        .finally(() => inflight.delete(t.id));
      inflight.set(t.id, p);
    }
    if (!needed && !inflight.size && opts.exitWhenIdle) break;
    const wait = Math.max(20, next - Date.now());
    // A task ending may make the next one due sooner (a restart's start, a probe's next time).
    await Promise.race([sleep(wait, undefined, { signal: opts.signal }).catch(() => undefined), ...inflight.values()]);
  }
  await Promise.allSettled(inflight.values());
}
