/**
 * Health checks as dockerd runs them (daemon/health.go), as pure rules: which config wins, what
 * a probe runs, how its result moves the status, and when the next probe is due. Durations in
 * HealthConfig are nanoseconds, as in image configs and the API.
 */
import type { HealthConfig } from './images/oci.js';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One probe's result, as `.State.Health.Log` shows it. */
export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface HealthState {
  status: HealthStatus;
  failingStreak: number;
  log: HealthLogEntry[];
  /** Epoch ms when the next probe is due. */
  nextProbe: number;
}

/** Podman's --health-on-failure actions. */
export const HEALTH_ON_FAILURE = ['none', 'kill', 'restart', 'stop'] as const;
export type HealthOnFailure = (typeof HEALTH_ON_FAILURE)[number];

const NS = 1_000_000;
export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_START_INTERVAL_MS = 5_000;
export const DEFAULT_RETRIES = 3;
/** dockerd keeps the last five results and 4 KiB of each one's output. */
export const LOG_ENTRIES = 5;
export const OUTPUT_LIMIT = 4096;

/**
 * The request's fields over the image's, field by field (a zero or absent field inherits), as
 * dockerd merges them; `["NONE"]` (`--no-healthcheck`, `HEALTHCHECK NONE`) disables the check.
 */
export function mergeHealthConfig(image: HealthConfig | undefined, req: HealthConfig | undefined): HealthConfig | undefined {
  if (!req) return image;
  if (req.Test?.[0] === 'NONE') return { Test: ['NONE'] };
  const out: HealthConfig = { ...(image ?? {}) };
  if (req.Test?.length) out.Test = req.Test;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    if (req[k]) out[k] = req[k];
  }
  return out;
}

/** The check to run, or undefined when there is none (no Test, NONE, or an empty command). */
export function activeHealthConfig(h: HealthConfig | undefined): HealthConfig | undefined {
  const t = h?.Test;
  if (!t?.length || t[0] === 'NONE') return undefined;
  if (t[0] === 'CMD' && t.length < 2) return undefined;
  if (t[0] === 'CMD-SHELL' && !t[1]) return undefined;
  return h;
}

/** argv of the probe: `CMD a b` runs as is, `CMD-SHELL s` through the container's shell. */
export function probeArgs(h: HealthConfig, shell: string[] = ['/bin/sh', '-c']): string[] {
  const t = h.Test ?? [];
  if (t[0] === 'CMD') return t.slice(1);
  if (t[0] === 'CMD-SHELL') return [...shell, t.slice(1).join(' ')];
  return t;
}

export const timeoutMs = (h: HealthConfig) => (h.Timeout ? h.Timeout / NS : DEFAULT_TIMEOUT_MS);
export const retriesOf = (h: HealthConfig) => (h.Retries && h.Retries > 0 ? h.Retries : DEFAULT_RETRIES);

/** Whether `now` falls within the start period of a container started at `startedMs`. */
export function inStartPeriod(h: HealthConfig, startedMs: number, now: number): boolean {
  return !!h.StartPeriod && now - startedMs < h.StartPeriod / NS;
}

/** How long until the next probe: the start interval while starting inside the start period. */
export function probeDelayMs(h: HealthConfig, status: HealthStatus, startedMs: number, now: number): number {
  if (status === 'starting' && inStartPeriod(h, startedMs, now)) {
    return h.StartInterval ? h.StartInterval / NS : DEFAULT_START_INTERVAL_MS;
  }
  return h.Interval ? h.Interval / NS : DEFAULT_INTERVAL_MS;
}

export function initialHealth(h: HealthConfig, startedMs: number): HealthState {
  return { status: 'starting', failingStreak: 0, log: [], nextProbe: startedMs + probeDelayMs(h, 'starting', startedMs, startedMs) };
}

/**
 * A probe's result applied as dockerd does: success is healthy at once; a failure inside the
 * start period does not count; otherwise the streak grows and reaching `retries` is unhealthy.
 */
export function applyProbe(h: HealthConfig, s: HealthState, entry: HealthLogEntry, startedMs: number): HealthState {
  const end = Date.parse(entry.End);
  const log = [...s.log, { ...entry, Output: entry.Output.slice(0, OUTPUT_LIMIT) }].slice(-LOG_ENTRIES);
  let { status, failingStreak } = s;
  if (entry.ExitCode === 0) {
    status = 'healthy';
    failingStreak = 0;
  } else if (!(inStartPeriod(h, startedMs, Date.parse(entry.Start)) && status !== 'healthy')) {
    failingStreak++;
    if (failingStreak >= retriesOf(h)) status = 'unhealthy';
  }
  return { status, failingStreak, log, nextProbe: end + probeDelayMs(h, status, startedMs, end) };
}

/** Docker's `(healthy)`, `(unhealthy)`, `(health: starting)` after "Up 5 seconds". */
export function healthSuffix(status: HealthStatus | undefined): string {
  if (!status) return '';
  return status === 'starting' ? ' (health: starting)' : ` (${status})`;
}
