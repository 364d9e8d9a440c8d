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
const LIVE = new Set(['running', 'restarting', 'paused']);

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
  /** Set once the initial containers are all tracked: only then does an empty `active` end the watch. */
  let ready = false;
  let closed = false;
  let settle!: () => void;
  const allDone = new Promise<void>((r) => (settle = r)).then(() => void (closed = true));
  const finish = (id: string) => {
    active.delete(id);
    if (ready && !active.size) settle();
  };
  const inspect = async (id: string) => (await engine.containers.inspect(id).catch(() => undefined)) as InspectState | undefined;
  const exitOrder = async (list: ProjectContainer[]) => {
    const at = new Map<string, string>();
    for (const c of list) at.set(c.id, (await inspect(c.id))?.State.FinishedAt ?? '');
    return [...list].sort((a, b) => (at.get(a.id)! < at.get(b.id)! ? -1 : at.get(a.id)! > at.get(b.id)! ? 1 : 0));
  };

  const track = (c: ProjectContainer, first: { tail?: number; since?: Date }, attached = false) => {
    const run = async () => {
      if (!attached) await onEvent({ type: 'attach', container: c });
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
    const p = run()
      .catch(() => undefined)
      .finally(() => finish(c.id));
    active.set(c.id, p);
    return p;
  };

  if (opts.follow) {
    // Listening before the listing: a container started in between is in one or the other.
    const filters = new Map([
      ['type', ['container']],
      ['event', ['start']],
      ['label', [`${L.PROJECT}=${project}`, `${L.ONEOFF}=False`]],
    ]);
    stopEvents = engine.events.follow({ filters }, (e) => {
      if (closed || active.has(e.Actor.ID) || !wanted(e.Actor.Attributes[L.SERVICE] ?? '')) return;
      void projectContainers(engine, project).then((cs) => {
        const c = cs.find((x) => x.id === e.Actor.ID);
        // Its whole output is new unless it ran while watched (a restart): then from where that run ended.
        const end = ended.get(e.Actor.ID);
        if (c && !closed && !active.has(c.id)) track(c, end ? { since: end } : opts.since ? { since: opts.since } : {});
      });
    });
  }
  const cs = (await projectContainers(engine, project)).filter((c) => wanted(c.service));
  const first = { ...(opts.tail !== undefined ? { tail: opts.tail } : {}), ...(opts.since ? { since: opts.since } : {}) };
  // Every container registers before any line, so the prefixes have their width from the start.
  for (const c of cs) await onEvent({ type: 'attach', container: c });
  // Those that already exited are told in the order they exited (the first exit starts a cascade).
  const gone = opts.exits ? await exitOrder(cs.filter((c) => !LIVE.has(c.state))) : [];
  for (const c of gone) await track(c, first, true);
  for (const c of cs) if (!gone.includes(c)) void track(c, first, true);
  ready = true;
  if (!active.size) settle();
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
