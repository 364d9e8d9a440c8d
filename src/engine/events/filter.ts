import type { EngineEvent, EventQuery } from './types.js';

/** A label filter value: `key` (present) or `key=value`. */
function labelMatches(attrs: Record<string, string>, v: string): boolean {
  const i = v.indexOf('=');
  if (i < 0) return v in attrs;
  return attrs[v.slice(0, i)] === v.slice(i + 1);
}

/** The name or ID the container/network/volume filters compare with, per event type. */
function matchesObject(e: EngineEvent, type: EngineEvent['Type'], v: string): boolean {
  const a = e.Actor.Attributes;
  if (e.Type === type) return e.Actor.ID === v || e.Actor.ID.startsWith(v) || a.name === v;
  // A network event names its container in Attributes.container.
  if (type === 'container' && e.Type === 'network') return !!a.container && (a.container === v || a.container.startsWith(v));
  return false;
}

/** A reference without its tag or digest (`busybox:1` → `busybox`). */
function stripTag(ref: string): string {
  const at = ref.indexOf('@');
  const s = at < 0 ? ref : ref.slice(0, at);
  const colon = s.lastIndexOf(':');
  return colon > s.lastIndexOf('/') ? s.slice(0, colon) : s;
}

/**
 * dockerd's image filter: the actor's ID or its image name (`name` on image events, `image` on
 * container events), each also without its tag.
 */
function matchesImage(e: EngineEvent, v: string): boolean {
  const name = (e.Type === 'image' ? e.Actor.Attributes.name : e.Actor.Attributes.image) ?? '';
  return [e.Actor.ID, name, stripTag(e.Actor.ID), stripTag(name)].includes(v);
}

/** Docker's event filters: each key is an OR of its values (labels: all of them), keys are ANDed; plus the time window. */
export function matchEvent(e: EngineEvent, q: EventQuery): boolean {
  const ms = e.timeNano / 1e6;
  if (q.since && ms < q.since.getTime()) return false;
  if (q.until && ms > q.until.getTime()) return false;
  const f = q.filters;
  if (!f) return true;
  const any = (key: string, test: (v: string) => boolean) => {
    const vals = f.get(key);
    return !vals?.length || vals.some(test);
  };
  return (
    any('type', (v) => e.Type === v) &&
    any('event', (v) => e.Action === v || e.Action.startsWith(`${v}:`)) &&
    any('container', (v) => matchesObject(e, 'container', v)) &&
    any('network', (v) => matchesObject(e, 'network', v)) &&
    any('volume', (v) => matchesObject(e, 'volume', v)) &&
    any('pod', (v) => matchesObject(e, 'pod', v)) &&
    any('image', (v) => matchesImage(e, v)) &&
    // Labels are ANDed, as moby's MatchKVList does (compose filters on project AND oneoff).
    (f.get('label') ?? []).every((v) => labelMatches(e.Actor.Attributes, v))
  );
}
