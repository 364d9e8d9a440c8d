/**
 * The `filters` of every prune (containers, images, volumes, networks, build cache), as dockerd
 * reads them (daemon/prune.go, image_prune.go, volume service, builder-next): the one place
 * both the CLI's `--filter` and the API's `filters` query go through, so a key the prune does
 * not know is refused before anything is deleted.
 */
import { invalidArgument } from '../core/errdefs.js';

/** dockerd's accepted keys per prune (the build cache's `parent` is refused: see cache-admin). */
export const PRUNE_FILTER_KEYS = {
  containers: ['until', 'label', 'label!'],
  images: ['dangling', 'until', 'label', 'label!'],
  networks: ['until', 'label', 'label!'],
  volumes: ['label', 'label!', 'all'],
  build: ['until', 'unused-for', 'id', 'type', 'description', 'inuse', 'shared', 'private', 'label', 'label!'],
} as const;

export type PruneKind = keyof typeof PRUNE_FILTER_KEYS;

export interface PruneFilter {
  readonly filters: ReadonlyMap<string, string[]>;
  /** ms since the epoch; only what was created (or last used) at or before it is pruned. */
  readonly until?: number;
  /** dockerd's matchLabels: every `label` present (and equal), not every `label!` present. */
  labels(labels: Readonly<Record<string, string>> | undefined): boolean;
}

/** filters.Args.MatchKVList: all values must be present in `labels`, equal when they have one. */
function matchKVList(values: readonly string[] | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!values?.length) return true;
  if (Object.keys(labels).length === 0) return false;
  return values.every((value) => {
    const eq = value.indexOf('=');
    const k = eq < 0 ? value : value.slice(0, eq);
    return Object.hasOwn(labels, k) && (eq < 0 || labels[k] === value.slice(eq + 1));
  });
}

const GO_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

/** Go's time.ParseDuration, in ms; undefined when `s` is not one ("0" alone is one). */
export function goDuration(s: string): number | undefined {
  if (s === '0' || s === '+0' || s === '-0') return 0;
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * GO_UNITS_MS[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

/** timetypes.ParseTimestamps: `seconds[.nanoseconds]`. */
function unixTimestamp(s: string): number | undefined {
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(9, '0')) / 1e6;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * timetypes.GetTimestamp then ParseTimestamps, in ms: a Go duration before `now` ("24h", "90m",
 * "1h30m"), an RFC 3339 date or date-time (to the hour, minute, second or nanosecond; in the local
 * zone unless it names one), or a unix timestamp `seconds[.nanos]`.
 */
export function parseUntil(value: string, now = Date.now()): number {
  const d = value === '0' ? undefined : goDuration(value);
  if (d !== undefined) return now - d;
  const m = DATE.exec(value);
  if (m) {
    const [, y, mo, da, h = '0', mi = '0', se = '0', frac = '', zone] = m;
    const ms = Number(frac.padEnd(9, '0')) / 1e6;
    let t: number;
    if (zone) {
      t = Date.UTC(+y!, +mo! - 1, +da!, +h, +mi, +se) + ms;
      if (zone.toUpperCase() !== 'Z') {
        const sign = zone[0] === '-' ? -1 : 1;
        t -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
      }
    } else {
      t = new Date(+y!, +mo! - 1, +da!, +h, +mi, +se).getTime() + ms;
    }
    if (!Number.isNaN(t)) return t;
  }
  if (value.includes('-')) throw invalidArgument(`parsing time ${JSON.stringify(value)}: cannot parse as a timestamp`);
  const ts = unixTimestamp(value);
  if (ts === undefined) throw invalidArgument(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  return ts;
}

/**
 * Checks `filters` against the keys `kind` accepts ("invalid filter 'KEY'", as filters.Args.Validate)
 * and reads `until` (one value at most, as getUntilFromPruneFilters).
 */
export function pruneFilter(kind: PruneKind, filters?: ReadonlyMap<string, string[]>): PruneFilter {
  const f = filters ?? new Map<string, string[]>();
  const accepted: readonly string[] = PRUNE_FILTER_KEYS[kind];
  for (const k of f.keys()) if (!accepted.includes(k)) throw invalidArgument(`invalid filter '${k}'`);
  const untilValues = f.get('until') ?? [];
  if (untilValues.length > 1) throw invalidArgument('more than one until filter specified');
  const until = untilValues.length ? parseUntil(untilValues[0]!) : undefined;
  return {
    filters: f,
    ...(until !== undefined ? { until } : {}),
    labels(labels) {
      const l = labels ?? {};
      if (!matchKVList(f.get('label'), l)) return false;
      return !(f.get('label!')?.length && matchKVList(f.get('label!'), l));
    },
  };
}

/**
 * filters.Args "true"/"1" or "false"/"0" for a boolean key (`dangling`, `all`); undefined when
 * the key is absent; anything else is "invalid filter 'KEY=VALUE'".
 */
export function boolPruneFilter(f: PruneFilter, key: string): boolean | undefined {
  const values = f.filters.get(key);
  if (!values?.length) return undefined;
  if (values.includes('false') || values.includes('0')) return false;
  if (values.includes('true') || values.includes('1')) return true;
  throw invalidArgument(`invalid filter '${key}=${values.join(',')}'`);
}
