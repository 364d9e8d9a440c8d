/**
 * @module lib/events
 * `engine.events`: what every process on this run root did (the CLI, API services, conmon's
 * cleanup), as Docker's event messages.
 */
import type { EventLog } from '../engine/events/log.js';
import type { EngineEvent, EventType } from '../engine/events/types.js';
import { filterMap, type Cancellable, type Filters } from './common.js';

export type { EngineEvent, EventType };

export interface EventQuery {
  /** Only events at or after this instant (with `follow`, recorded ones from there come first). */
  since?: Date;
  /** Only events at or before this instant; a follow ends once it has passed. */
  until?: Date;
  /** `type`, `container`, `event`, `label`, `image`, `network`, `volume`. */
  filters?: Filters;
}

export interface Events {
  /** Events recorded so far, oldest first. */
  list(query?: EventQuery): Promise<EngineEvent[]>;
  /**
   * Events as they happen, as an async iterable: it ends when `until` passes, when `signal`
   * aborts, or when the consumer stops iterating (`break`).
   */
  follow(query?: EventQuery & Cancellable): AsyncIterable<EngineEvent>;
}

function internalQuery(q: EventQuery) {
  return { ...(q.since ? { since: q.since } : {}), ...(q.until ? { until: q.until } : {}), ...(q.filters ? { filters: filterMap(q.filters) } : {}) };
}

async function* followLog(log: EventLog, q: EventQuery & Cancellable): AsyncGenerator<EngineEvent> {
  const queue: EngineEvent[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  const stop = log.follow(
    internalQuery(q),
    (e) => {
      queue.push(e);
      poke();
    },
    () => {
      ended = true;
      poke();
    },
  );
  const onAbort = () => {
    ended = true;
    poke();
  };
  q.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (q.signal?.aborted) return;
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (ended) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    stop();
    q.signal?.removeEventListener('abort', onAbort);
  }
}

export function eventsOf(log: () => EventLog): Events {
  return {
    list: async (q = {}) => log().read(internalQuery(q)),
    follow: (q = {}) => followLog(log(), q),
  };
}
