/**
 * @module compose/units
 * Sizes, durations and numbers in the form compose-go's types print them, so `compose config`
 * shows what Docker Compose v2 shows: a size (`UnitBytes`: `64m`, `1g`) becomes its byte count
 * as a string (`"67108864"`), a duration (`Duration`: `90s`) Go's `time.Duration.String()`
 * (`1m30s`), CPU counts and integer knobs numbers, `devices` their long form. Applied to a
 * normalised service; a value that does not read as its type is an error naming its key.
 */
import { invalidArgument } from '../errdefs.js';
import { parseGoDuration } from '../build/flags.js';
import { isPlainObject } from './interpolate.js';

type Dict = Record<string, unknown>;

const MULT: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units' RAMInBytes (binary multiples, an optional `b`/`ib`), as a decimal string. */
export function canonicalBytes(v: unknown, key: string): string {
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  const m = /^(-?\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(String(v).trim());
  if (!m) throw invalidArgument(`${key}: invalid size: '${String(v)}'`);
  return String(Math.trunc(Number(m[1]) * MULT[(m[2] ?? '').toLowerCase()]!));
}

/** `n` units of `unit` nanoseconds, with the fraction Go prints (trailing zeros dropped). */
function frac(ns: number, unit: number): string {
  const whole = Math.floor(ns / unit);
  const rest = ns - whole * unit;
  if (!rest) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Go's time.Duration.String(): `1h0m0s`, `1m30s`, `1.5s`, `300ms`, `0s`. */
export function goDurationString(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let u = Math.abs(ns);
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${frac(u, 1e3)}µs`;
  if (u < 1e9) return `${sign}${frac(u, 1e6)}ms`;
  const h = Math.floor(u / 3600e9);
  u -= h * 3600e9;
  const m = Math.floor(u / 60e9);
  u -= m * 60e9;
  const s = `${frac(u, 1e9)}s`;
  return sign + (h ? `${h}h${m}m${s}` : m ? `${m}m${s}` : s);
}

export function canonicalDuration(v: unknown, key: string): string {
  try {
    return goDurationString(typeof v === 'number' ? v * 1e9 : parseGoDuration(String(v)));
  } catch (e) {
    throw invalidArgument(`${key}: ${(e as Error).message}`);
  }
}

function number(v: unknown, key: string): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (String(v).trim() === '' || Number.isNaN(n)) throw invalidArgument(`${key}: not a number: '${String(v)}'`);
  return n;
}

/** compose-go's short device syntax `SRC[:DST[:PERMS]]` (permissions `rwm` by default). */
function device(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const [source, target, permissions] = v.split(':');
  return { source, target: target || source, permissions: permissions ?? 'rwm' };
}

/** Rewrites `obj[key]` with `f` when it is set. */
function at(obj: unknown, key: string, f: (v: unknown, key: string) => unknown, path = key): void {
  if (!isPlainObject(obj) || obj[key] === undefined || obj[key] === null) return;
  obj[key] = f(obj[key], path);
}

const SIZES = ['mem_limit', 'mem_reservation', 'memswap_limit', 'mem_swappiness', 'shm_size'];
const NUMBERS = ['cpus', 'cpu_shares', 'cpu_quota', 'cpu_period', 'cpu_rt_period', 'cpu_rt_runtime', 'cpu_count', 'cpu_percent', 'pids_limit', 'oom_score_adj'];
const DURATIONS = ['interval', 'timeout', 'start_period', 'start_interval'];

export function canonicalServiceUnits(s: Dict): void {
  for (const k of SIZES) at(s, k, canonicalBytes);
  for (const k of NUMBERS) at(s, k, number);
  at(s, 'stop_grace_period', canonicalDuration);
  for (const k of DURATIONS) at(s.healthcheck, k, canonicalDuration, `healthcheck.${k}`);
  at(s.build, 'shm_size', canonicalBytes, 'build.shm_size');
  if (Array.isArray(s.devices)) s.devices = s.devices.map(device);
  for (const v of Array.isArray(s.volumes) ? s.volumes : []) at((v as Dict).tmpfs, 'size', canonicalBytes, 'volumes.tmpfs.size');
  const blkio = s.blkio_config as Dict | undefined;
  for (const k of ['device_read_bps', 'device_write_bps']) {
    for (const d of Array.isArray(blkio?.[k]) ? (blkio[k] as unknown[]) : []) at(d, 'rate', canonicalBytes, `blkio_config.${k}.rate`);
  }
  const deploy = s.deploy as Dict | undefined;
  if (!isPlainObject(deploy)) return;
  const res = deploy.resources as Dict | undefined;
  for (const part of ['limits', 'reservations']) {
    at(res?.[part], 'memory', canonicalBytes, `deploy.resources.${part}.memory`);
    at(res?.[part], 'cpus', number, `deploy.resources.${part}.cpus`);
  }
  for (const k of ['delay', 'window']) at(deploy.restart_policy, k, canonicalDuration, `deploy.restart_policy.${k}`);
  for (const part of ['update_config', 'rollback_config']) for (const k of ['delay', 'monitor']) at(deploy[part], k, canonicalDuration, `deploy.${part}.${k}`);
}
