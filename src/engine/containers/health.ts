/**
 * One health probe: an exec of the check's command in the running container, its timeout
 * enforced by killing the exec'd process, its result folded into `.State.Health`, a
 * `health_status` event on a change, and Podman's --health-on-failure action on turning unhealthy.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { activeHealthConfig, applyProbe, initialHealth, OUTPUT_LIMIT, probeArgs, timeoutMs, type HealthLogEntry, type HealthState } from '../../core/health.js';
import { failedPrecondition } from '../../core/errdefs.js';
import { execDir } from '../../impl/runtime/exec.js';
import type { ContainerContext } from './context.js';
import { execContainer } from './exec.js';
import { containerEvent } from './events.js';
import { resolveContainer } from './resolve.js';
import { refreshContainer } from './sync.js';
import type { ContainerRecord } from './types.js';

export interface HealthcheckResult {
  status: HealthState['status'];
  exitCode: number;
  output: string;
}

/** The health state a container starts with, or undefined when it has no check. */
export function healthAtStart(c: ContainerRecord, startedMs: number): HealthState | undefined {
  const h = activeHealthConfig(c.config.healthcheck);
  return h ? initialHealth(h, startedMs) : undefined;
}

function collector(): { stream: Writable; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (size < OUTPUT_LIMIT) {
        chunks.push(chunk);
        size += chunk.length;
      }
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).subarray(0, OUTPUT_LIMIT).toString('utf8') };
}

/** Runs the command, killing it at the timeout; the log entry either way. */
async function probe(cc: ContainerContext, c: ContainerRecord, argv: string[], limitMs: number): Promise<HealthLogEntry> {
  const start = new Date();
  const out = collector();
  const sessionId = randomBytes(16).toString('hex');
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      const pid = Number(readFileSync(join(execDir(cc.runtimeContainer(c), sessionId), 'exec_pid'), 'utf8'));
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // not started yet or already gone: its end is near either way
    }
  }, limitMs);
  let exitCode: number;
  let output: string;
  try {
    const r = await execContainer(cc, c.id, { cmd: argv, sessionId, streams: { stdout: out.stream, stderr: out.stream } });
    exitCode = r.detached ? -1 : r.exitCode;
    output = out.text();
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    exitCode = typeof code === 'number' ? code : -1;
    output = (e as Error).message;
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) {
    exitCode = -1;
    output = `Health check exceeded timeout (${limitMs / 1000}s)`;
  }
  return { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: exitCode, Output: output };
}

/** `healthcheck run`, and each probe of the timers: one probe, recorded. */
export async function runHealthcheck(cc: ContainerContext, ref: string): Promise<HealthcheckResult> {
  const c = await refreshContainer(cc, resolveContainer(cc, ref));
  const h = activeHealthConfig(c.config.healthcheck);
  if (!h) throw failedPrecondition(`container ${c.id.slice(0, 12)} has no defined healthcheck`);
  if (c.state.status !== 'running') throw failedPrecondition(`container ${c.id.slice(0, 12)} is not running`);
  const startedMs = Date.parse(c.state.startedAt);
  const entry = await probe(cc, c, probeArgs(h, c.config.imageConfig.Shell), timeoutMs(h));
  let before: HealthState['status'] | undefined;
  const row = cc.records.updateState(c.id, (s) => {
    // A probe of an earlier run (the container restarted meanwhile) is not this run's health.
    if (s.status !== 'running' || s.startedAt !== c.state.startedAt) return false;
    const cur = s.health ?? initialHealth(h, startedMs);
    before = cur.status;
    return { ...s, health: applyProbe(h, cur, entry, startedMs) };
  });
  const health = row?.state.health;
  if (!row || !health || before === undefined) return { status: 'unhealthy', exitCode: entry.ExitCode, output: entry.Output };
  if (health.status !== before) {
    containerEvent(cc, row, `health_status: ${health.status}`);
    if (health.status === 'unhealthy') await onFailure(cc, row);
  }
  return { status: health.status, exitCode: entry.ExitCode, output: entry.Output };
}

async function onFailure(cc: ContainerContext, c: ContainerRecord): Promise<void> {
  const action = c.config.healthOnFailure;
  if (!action || action === 'none') return;
  const lifecycle = await import('./lifecycle.js');
  if (action === 'kill') {
    // Not the user's kill: a restart policy may bring the container back.
    await lifecycle.killContainer(cc, c.id, 'SIGKILL', { byUser: false });
  } else if (action === 'stop') {
    await lifecycle.stopContainer(cc, c.id);
  } else if (action === 'restart') {
    const stopped = await lifecycle.stopContainer(cc, c.id);
    await (await import('./start.js')).startContainer(cc, stopped.id);
    containerEvent(cc, stopped, 'restart');
  }
}
