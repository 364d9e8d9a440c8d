/**
 * @module engine/compose/watch
 * The project's containers' output as one stream of events, for `compose logs` and attached
 * `compose up`. While following, containers that start after the watch began (a scale-up, a
 * replica recreated, one restarted by its policy or by `compose restart`) are followed too, found
 * by the engine's `start` events as Docker Compose v2 finds them; the watch ends when none of the
 * watched containers runs any more (or when its signal aborts).
 */
import type { LogRecord } from '../../core/oci-runtime/k8s-log.js';
import type { Engine } from '../index.js';
import * as L from './labels.js';
import { projectContainers, type ProjectContainer } from './state.js';

export type WatchEvent =
  /** A container joins the watch (Compose's "attach"): before any of its lines. */
  | { type: 'attach'; container: ProjectContainer }
  | { type: 'log'; container: ProjectContainer; record: LogRecord }
  /** Its output ended because it exited; `restarting` when its restart policy brings it back. */
  | { type: 'exit'; container: ProjectContainer; exitCode: number; restarting: boolean };

export interface WatchOptions {
  /** Only these services' containers (all when empty). */
  services?: string[];
  follow?: boolean;
  /** The last N records of each container there at the start (those that join later show all). */
  tail?: number;
  /** Only records from then on. */
  since?: Date;
  signal?: AbortSignal;
  /** Report each container's exit (attached `up`). */
  exits?: boolean;
}

interface InspectState {
  State: { Status: string; ExitCode: number; Restarting?: boolean; FinishedAt?: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `onEvent` for each of the watched containers' records, in the order they come (per
 * container in log order; `onEvent` is awaited, so a slow reader holds its container back).
 */
export async function watchProject(
  engine: Engine,
  project: string,
  opts: WatchOptions,
  onEvent: (e: WatchEvent) => void | Promise<void>,
): Promise<void> {
  const wanted = (service: string) => !opts.services?.length || opts.services.includes(service);
  const active = new Map<string, Promise<void>>();
  /** When each container's last followed run ended: a restart is shown from there on. */
  const ended = new Map<string, Date>();
  let stopEvents: (() => void) | undefined;
  let settle!: () => void;
  const allDone = new Promise<void>((r) => (settle = r));
  const finish = (id: string) => {
    active.delete(id);
    if (!active.size) settle();
  };
  const inspect = async (id: string) => (await engine.containers.inspect(id).catch(() => undefined)) as InspectState | undefined;

  const track = (c: ProjectContainer, first: { tail?: number; since?: Date }) => {
    const run = async () => {
      await onEvent({ type: 'attach', container: c });
      let window = first;
      for (;;) {
        for await (const record of engine.containers.logs(c.id, {
          follow: !!opts.follow,
          ...(window.tail !== undefined && window.tail >= 0 ? { tail: window.tail } : {}),
          ...(window.since ? { since: window.since } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        })) {
          await onEvent({ type: 'log', container: c, record });
        }
        if (!opts.follow || opts.signal?.aborted) return;
        const doc = await inspect(c.id);
        if (!doc) return;
        if (doc.State.FinishedAt) ended.set(c.id, new Date(doc.State.FinishedAt));
        const restarting = !!doc.State.Restarting;
        if (opts.exits) await onEvent({ type: 'exit', container: c, exitCode: doc.State.ExitCode, restarting });
        if (!restarting) return;
        // Its policy brings it back: its next run's output, from where this one ended.
        for (;;) {
          if (opts.signal?.aborted) return;
          const now = await inspect(c.id);
          if (!now || !now.State.Restarting) {
            if (now?.State.Status !== 'running') return;
            break;
          }
          await sleep(250);
        }
        const end = ended.get(c.id);
        window = end ? { since: end } : {};
      }
    };
    active.set(
      c.id,
      run()
        .catch(() => undefined)
        .finally(() => finish(c.id)),
    );
  };

  if (opts.follow) {
    // Listening before the listing: a container started in between is in one or the other.
    const filters = new Map([
      ['type', ['container']],
      ['event', ['start']],
      ['label', [`${L.PROJECT}=${project}`, `${L.ONEOFF}=False`]],
    ]);
    stopEvents = engine.events.follow({ filters }, (e) => {
      if (active.has(e.Actor.ID) || !active.size || !wanted(e.Actor.Attributes[L.SERVICE] ?? '')) return;
      void projectContainers(engine, project).then((cs) => {
        const c = cs.find((x) => x.id === e.Actor.ID);
        // Its whole output is new unless it ran while watched (a restart): then from where that run ended.
        const end = ended.get(e.Actor.ID);
        if (c && !active.has(c.id)) track(c, end ? { since: end } : opts.since ? { since: opts.since } : {});
      });
    });
  }
  const cs = (await projectContainers(engine, project)).filter((c) => wanted(c.service));
  for (const c of cs) track(c, { ...(opts.tail !== undefined ? { tail: opts.tail } : {}), ...(opts.since ? { since: opts.since } : {}) });
  if (!cs.length) settle();
  const onAbort = () => settle();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    await allDone;
    await Promise.all(active.values());
  } finally {
    stopEvents?.();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
