/**
 * The log driver and its options, checked once at create for both fronts (`--log-driver`/
 * `--log-opt`, HostConfig.LogConfig) and stored normalized: inspect shows it, start hands
 * conmon what it means.
 *
 * - `json-file` (the default, as in Docker) and `k8s-file` both write conmon's k8s-file
 *   format: conmon cannot write Docker's JSON lines, and Podman accepts json-file the same way.
 * - `max-size` is conmon's --log-size-max (Docker's decimal units: 10m = 10 000 000 bytes).
 *   On reaching it conmon empties the log (a fresh file renamed over it): one file is kept,
 *   so `max-file` may only be 1.
 * - `journald` needs a running journald; `none` keeps no log, which `logs` then says.
 */
import { existsSync } from 'node:fs';
import { invalidArgument } from '../../core/errdefs.js';
import type { CreateOptions } from '../../core/oci-runtime/runtime.js';
import type { LogConfig } from './types.js';

export type LogDriver = 'json-file' | 'k8s-file' | 'journald' | 'none';

const DRIVERS: readonly LogDriver[] = ['json-file', 'k8s-file', 'journald', 'none'];
export const DEFAULT_LOG_DRIVER: LogDriver = 'json-file';

const OPTIONS: Record<LogDriver, readonly string[]> = {
  'json-file': ['max-size', 'max-file'],
  'k8s-file': ['max-size', 'max-file'],
  journald: ['tag'],
  none: [],
};

/** conmon reads the container's output 8 KiB at a time: a smaller limit could not hold one line. */
export const MIN_LOG_SIZE = 8192;

export const JOURNALD_SOCKET = '/run/systemd/journal/socket';

/** Docker's units.FromHumanSize: decimal multiples, "10m", "1.5GB", "512k", "100". */
export function parseHumanSize(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(s);
  if (!m) return undefined;
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 }[(m[2] ?? '').toLowerCase()]!;
  const n = Number(m[1]) * mult;
  return Number.isFinite(n) ? Math.floor(n) : undefined;
}

function checkSize(v: string): void {
  const n = parseHumanSize(v);
  if (n === undefined) throw invalidArgument(`invalid log opt max-size "${v}": want a size such as 10m or 512k`);
  if (n < MIN_LOG_SIZE) throw invalidArgument(`invalid log opt max-size "${v}": it must be at least ${MIN_LOG_SIZE} bytes`);
}

function checkFiles(v: string): void {
  if (!/^-?\d+$/.test(v)) throw invalidArgument(`invalid log opt max-file "${v}": want a whole number`);
  const n = Number(v);
  if (n < 1) throw invalidArgument('max-file cannot be less than 1');
  if (n > 1) {
    throw invalidArgument(
      `log opt max-file=${v} is not supported: conmon keeps one log file, which it empties when max-size is reached; only max-file=1`,
    );
  }
}

export interface LogHost {
  /** Whether journald listens here (its socket exists). */
  journald: boolean;
}

export function logHost(): LogHost {
  return { journald: existsSync(JOURNALD_SOCKET) };
}

/**
 * The request checked and completed: the driver named ('' = the default), skiff.conf's
 * `log_size_max` as `max-size` when the request sets none (as dockerd merges its log-opts).
 */
export function resolveLogConfig(req: LogConfig | undefined, defaults: { logSizeMax: number }, host: LogHost): LogConfig {
  const type = req?.type || DEFAULT_LOG_DRIVER;
  if (!(DRIVERS as readonly string[]).includes(type)) {
    throw invalidArgument(`logger: no log driver named '${type}' is registered (skiff has ${DRIVERS.join(', ')})`);
  }
  const driver = type as LogDriver;
  const config = { ...(req?.config ?? {}) };
  for (const [k, v] of Object.entries(config)) {
    if (!OPTIONS[driver].includes(k)) throw invalidArgument(`unknown log opt '${k}' for ${driver} log driver`);
    if (k === 'max-size') checkSize(v);
    if (k === 'max-file') checkFiles(v);
    if (k === 'tag' && !v) throw invalidArgument('invalid log opt tag: it must not be empty');
  }
  if (driver === 'journald' && !host.journald) {
    throw invalidArgument(`log driver journald needs a running journald, and ${JOURNALD_SOCKET} does not exist here`);
  }
  if (OPTIONS[driver].includes('max-size') && config['max-size'] === undefined && defaults.logSizeMax > 0) {
    config['max-size'] = String(defaults.logSizeMax);
  }
  return { type: driver, config };
}

export function logDriverOf(c: LogConfig | undefined): LogDriver {
  return (c?.type || DEFAULT_LOG_DRIVER) as LogDriver;
}

/** What start hands the runtime for a stored (already checked) config; rows from before it was stored have none. */
export function runtimeLog(c: LogConfig | undefined): NonNullable<CreateOptions['log']> {
  const driver = logDriverOf(c);
  const size = c?.config['max-size'];
  const sizeMax = size ? parseHumanSize(size) : undefined;
  const tag = c?.config.tag;
  return { driver: driver === 'json-file' ? 'k8s-file' : driver, ...(sizeMax ? { sizeMax } : {}), ...(tag ? { tag } : {}) };
}
