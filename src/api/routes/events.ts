/** GET /events: past events from `since`, then live ones, as JSON lines until `until` or the client goes. */
import type { Router } from '../router.js';
import { filtersParam, mustRes, startJsonStream, type Call } from '../call.js';
import { invalidArgument } from '../../core/errdefs.js';
import type { EngineEvent } from '../../engine/index.js';

/** Unix seconds (the docker CLI converts its --since/--until), or an RFC 3339 time. */
function timeParam(c: Call, name: string): Date | undefined {
  const v = c.query.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  const t = Number.isFinite(n) ? n * 1000 : Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`invalid ${name}: ${JSON.stringify(v)}`);
  return new Date(t);
}

/** Docker's EventMessage with the legacy fields (compose v1 reads them): status, id and from on container events, status and id on image events. */
export function eventDoc(e: EngineEvent) {
  const legacy =
    e.Type === 'container'
      ? { status: e.Action, id: e.Actor.ID, from: e.Actor.Attributes.image ?? '' }
      : e.Type === 'image'
        ? { status: e.Action, id: e.Actor.ID }
        : {};
  return { ...legacy, Type: e.Type, Action: e.Action, Actor: e.Actor, scope: e.scope, time: e.time, timeNano: e.timeNano };
}

export function registerEventRoutes(r: Router): void {
  r.get('/events', (c) => {
    const res = mustRes(c);
    const since = timeParam(c, 'since');
    const until = timeParam(c, 'until');
    const filters = filtersParam(c.query);
    const send = startJsonStream(res);
    const stop = c.engine.events.follow(
      { ...(since ? { since } : {}), ...(until ? { until } : {}), filters },
      (e) => send(eventDoc(e)),
      () => res.end(),
    );
    res.once('close', stop);
  });
}
