/**
 * @module rlimits
 * `--ulimit` parsing and the rlimits a container gets. Every limit is clamped to the engine's
 * own hard limit: raising a hard limit needs CAP_SYS_RESOURCE, which the engine may lack, and
 * then runc fails the whole start ("error setting rlimit type 7").
 */
import { invalidArgument } from '../errdefs.js';
import type { HostRlimit } from './host-facts.js';
import type { Rlimit } from './spec-types.js';

const NAMES = [
  'as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc',
  'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
];

/** JSON cannot carry RLIM_INFINITY (2^64-1) through a JS number exactly; this is as large as is safe. */
export const RLIM_UNLIMITED = Number.MAX_SAFE_INTEGER;

/** Podman 4.3 adds these when neither the defaults nor the flags name them. */
const IMPLICIT_MAX = 1048576;

function parseValue(v: string, spec: string): number {
  if (v === '-1' || v === 'unlimited') return RLIM_UNLIMITED;
  if (!/^\d+$/.test(v)) throw invalidArgument(`invalid ulimit ${JSON.stringify(spec)}: ${JSON.stringify(v)} is not a number`);
  return Number(v);
}

/** `nofile=1024:2048`, `core=-1`, `nproc=4096` → an OCI rlimit. */
export function parseUlimit(spec: string): Rlimit {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw invalidArgument(`invalid ulimit ${JSON.stringify(spec)}: expected name=soft[:hard]`);
  const name = spec.slice(0, eq).trim().toLowerCase();
  if (!NAMES.includes(name)) throw invalidArgument(`invalid ulimit ${JSON.stringify(spec)}: unknown type ${name}`);
  const [softS, hardS, extra] = spec.slice(eq + 1).split(':');
  if (extra !== undefined || softS === undefined || softS === '') {
    throw invalidArgument(`invalid ulimit ${JSON.stringify(spec)}: expected name=soft[:hard]`);
  }
  const soft = parseValue(softS.trim(), spec);
  const hard = hardS === undefined ? soft : parseValue(hardS.trim(), spec);
  if (soft > hard) throw invalidArgument(`invalid ulimit ${JSON.stringify(spec)}: soft limit ${soft} exceeds hard limit ${hard}`);
  return { type: `RLIMIT_${name.toUpperCase()}`, soft, hard };
}

/**
 * Defaults, then flags (a flag replaces a default of the same type), then Podman's implicit
 * NOFILE/NPROC, each clamped to the host's hard limit.
 */
export function buildRlimits(defaults: string[], flags: string[], host: Record<string, HostRlimit>): Rlimit[] {
  const byType = new Map<string, Rlimit>();
  for (const s of [...defaults, ...flags]) {
    const r = parseUlimit(s);
    byType.set(r.type, r);
  }
  for (const t of ['RLIMIT_NOFILE', 'RLIMIT_NPROC']) {
    if (!byType.has(t)) byType.set(t, { type: t, soft: IMPLICIT_MAX, hard: IMPLICIT_MAX });
  }
  return [...byType.values()].map((r) => clampRlimit(r, host[r.type]));
}

export function clampRlimit(r: Rlimit, host: HostRlimit | undefined): Rlimit {
  if (!host) return r;
  const cap = Number.isFinite(host.hard) ? host.hard : RLIM_UNLIMITED;
  const hard = Math.min(r.hard, cap);
  return { type: r.type, soft: Math.min(r.soft, hard), hard };
}
