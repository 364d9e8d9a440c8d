/**
 * `ps --filter` / `GET /containers/json?filters=` as dockerd's container list applies them
 * (daemon/list.go): values of one key are ORed, keys are ANDed (labels: all of them), a key
 * it does not know or a value it cannot read is an invalid argument.
 */
import { invalidArgument, isEngineError } from '../../core/errdefs.js';
import { findNetwork } from '../networks/store.js';
import { resolvePod } from '../pods/store.js';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';
import { resolveImage } from '../images/resolve.js';
import type { ContainerStatus, ContainerSummary } from './types.js';

/** dockerd's keys; `isolation` is not implemented. */
export const CONTAINER_LIST_FILTERS = [
  'ancestor', 'before', 'exited', 'expose', 'health', 'id', 'is-task', 'label', 'name', 'network', 'pod', 'publish', 'since', 'status', 'volume',
] as const;

const STATES: readonly ContainerStatus[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
/** `none`: no health check (or not running, as dockerd's list shows it). */
const HEALTH = ['starting', 'healthy', 'unhealthy', 'none'];

export interface ContainerListFilter {
  /** A `status` filter lists stopped containers without `all`, as dockerd does. */
  all: boolean;
  /** `index` is the container's place in the list, newest first. */
  keep(c: ContainerSummary, index: number): boolean;
}

/** The health the Status column shows ("Up 5 seconds (healthy)"), which summarize wrote. */
function healthOf(status: string): string {
  const m = /\((healthy|unhealthy|health: starting)\)$/.exec(status);
  if (!m) return 'none';
  return m[1] === 'health: starting' ? 'starting' : m[1]!;
}

const invalid = (key: string, value: string) => invalidArgument(`invalid filter '${key}=${value}'`);

/** Docker's filters.Args.Match: the value itself, or the value as a regular expression. */
function matches(pattern: string, source: string): boolean {
  if (pattern === source) return true;
  try {
    return new RegExp(pattern).test(source);
  } catch {
    return false;
  }
}

function labelMatches(labels: Record<string, string>, v: string): boolean {
  const eq = v.indexOf('=');
  if (eq < 0) return Object.hasOwn(labels, v);
  return labels[v.slice(0, eq)] === v.slice(eq + 1);
}

/**
 * `ancestor=`: each value names an image as `run` would take it (name, ID or ID prefix); the
 * filter keeps containers of that image or of any image committed from it, down the line.
 * A value naming no image matches nothing (dockerd only logs it).
 */
function ancestorIds(cc: ContainerContext, values: string[]): Set<string> {
  const ids = new Set<string>();
  const walk = (id: string) => {
    if (ids.has(id)) return;
    ids.add(id);
    for (const child of cc.ctx.records.imageChildren(id)) walk(child);
  };
  for (const v of values) {
    let id: string | undefined;
    try {
      id = resolveImage(cc.ctx.records, v).id;
    } catch {
      continue;
    }
    walk(id);
  }
  return ids;
}

interface PortRange {
  lo: number;
  hi: number;
  proto: string;
}

/** `publish=`/`expose=` values: `PORT[/PROTO]` or `START-END[/PROTO]`, tcp when unsaid. */
function portRange(key: string, v: string): PortRange {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(v);
  if (!m) throw invalid(key, v);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi > 65535 || hi < lo) throw invalid(key, v);
  return { lo, hi, proto: m[3] ?? 'tcp' };
}

const inRange = (r: PortRange, port: number | undefined, proto: string) => port !== undefined && port >= r.lo && port <= r.hi && proto === r.proto;

/**
 * Checks the filters and resolves what they name: `before`/`since` must name an existing
 * container (the last value wins, as in dockerd); `network` values name a network by name or
 * ID prefix. `order` is every container's ID, newest first.
 */
export function containerListFilter(cc: ContainerContext, filters: Map<string, string[]> | undefined, order: readonly string[]): ContainerListFilter {
  const f = filters ?? new Map<string, string[]>();
  for (const k of f.keys()) {
    if (!(CONTAINER_LIST_FILTERS as readonly string[]).includes(k)) throw invalidArgument(`invalid filter '${k}'`);
  }
  const vals = (k: string) => f.get(k) ?? [];
  for (const v of vals('status')) if (!(STATES as readonly string[]).includes(v)) throw invalid('status', v);
  for (const v of vals('health')) if (!HEALTH.includes(v)) throw invalid('health', v);
  const exited = vals('exited').map((v) => {
    if (!/^-?\d+$/.test(v)) throw invalid('exited', v);
    return Number(v);
  });
  let isTask: boolean | undefined;
  if (f.has('is-task')) {
    if (vals('is-task').includes('true')) isTask = true;
    else if (vals('is-task').includes('false')) isTask = false;
    else throw invalid('is-task', vals('is-task').join(','));
  }
  const place = (key: string): number | undefined => {
    const v = vals(key).at(-1);
    if (v === undefined) return undefined;
    const id = resolveContainer(cc, v).id;
    return order.indexOf(id);
  };
  const before = place('before');
  const since = place('since');
  // A network given by ID (or prefix) also matches a stopped container, whose attachment has no ID yet.
  const networkNames = vals('network').map((v) => findNetwork(cc.ctx, v)?.name ?? v);
  const ancestors = f.has('ancestor') ? ancestorIds(cc, vals('ancestor')) : undefined;
  // dockerd reads both from the ports of the list (a running container's): host side, container side.
  const publish = vals('publish').map((v) => portRange('publish', v));
  const expose = vals('expose').map((v) => portRange('expose', v));

  const inPods = f.has('pod') ? podMembers(cc, vals('pod')) : undefined;

  const any = (key: string, test: (v: string) => boolean) => !f.has(key) || vals(key).some(test);
  return {
    all: f.has('status'),
    keep(c, index) {
      if (before !== undefined && index <= before) return false;
      if (since !== undefined && (since < 0 || index >= since)) return false;
      const nets = c.NetworkSettings.Networks as Record<string, { NetworkID?: string }>;
      const mounts = c.Mounts as { Name?: string; Source?: string; Destination?: string }[];
      return (
        any('status', (v) => c.State === v) &&
        any('name', (v) => c.Names.some((n) => matches(v, n.slice(1)) || matches(v, n))) &&
        any('id', (v) => c.Id.startsWith(v)) &&
        (!inPods || inPods.has(c.Id)) &&
        (!ancestors || ancestors.has(c.ImageID)) &&
        (!f.has('publish') || publish.some((r) => c.Ports.some((p) => inRange(r, p.PublicPort, p.Type)))) &&
        (!f.has('expose') || expose.some((r) => c.Ports.some((p) => inRange(r, p.PrivatePort, p.Type)))) &&
        (exited.length === 0 || (c.State === 'exited' && exited.includes(c.ExitCode))) &&
        any('health', (v) => v === healthOf(c.Status)) &&
        (isTask !== true) &&
        any('volume', (v) => mounts.some((m) => m.Destination === v || (m.Name ?? m.Source) === v)) &&
        (!f.has('network') ||
          networkNames.some((n) => Object.hasOwn(nets, n)) ||
          vals('network').some((v) => Object.values(nets).some((n) => !!n.NetworkID && n.NetworkID.startsWith(v)))) &&
        vals('label').every((v) => labelMatches(c.Labels, v))
      );
    },
  };
}

/** Podman's `pod=` filter: the containers (infra included) of the pods named by name, id or prefix; an unknown pod matches none. */
function podMembers(cc: ContainerContext, refs: string[]): Set<string> {
  const pods = new Set<string>();
  for (const r of refs) {
    try {
      pods.add(resolvePod(cc.ctx, r).id);
    } catch (e) {
      if (!isEngineError(e, 'NotFound')) throw e;
    }
  }
  return new Set(cc.records.list().filter((c) => c.config.pod && pods.has(c.config.pod.id)).map((c) => c.id));
}
