/**
 * Exec instances as Docker has them: created with an ID, started later (attached or detached),
 * inspectable after the process ended. Each is a small JSON file in the container's run dir
 * (`<runDir>/execs/<id>.json`), so any process using this run root sees them and they go with
 * the container.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttachStreams } from '../../core/oci-runtime/runtime.js';
import { conflict, failedPrecondition, invalidArgument, isEngineError, notFound } from '../../core/errdefs.js';
import { execDir } from '../../impl/runtime/exec.js';
import { readExitFile } from '../../impl/runtime/exit-file.js';
import type { ContainerContext } from './context.js';
import { execContainer } from './exec.js';
import { containerEvent } from './events.js';
import { resolveContainer } from './resolve.js';
import { refreshContainer } from './sync.js';

/** What `exec create` asks for (Docker's ExecConfig). */
export interface ExecConfig {
  cmd: string[];
  tty?: boolean;
  attachStdin?: boolean;
  attachStdout?: boolean;
  attachStderr?: boolean;
  env?: string[];
  workdir?: string;
  user?: string;
  privileged?: boolean;
  detachKeys?: string;
}

export interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecConfig;
  /** Names the monitor's session (its directory under the bundle). */
  sessionId: string;
  started: boolean;
  running: boolean;
  detached: boolean;
  /** null until the process has ended. */
  exitCode: number | null;
  pid: number;
}

function execsDir(cc: ContainerContext, containerId: string): string {
  return join(cc.paths(containerId).runDir, 'execs');
}

function save(cc: ContainerContext, e: ExecInstance): void {
  const dir = execsDir(cc, e.containerId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${e.id}.tmp`);
  writeFileSync(tmp, JSON.stringify(e));
  renameSync(tmp, join(dir, `${e.id}.json`));
}

function load(cc: ContainerContext, id: string): ExecInstance {
  if (!/^[0-9a-f]{64}$/.test(id)) throw notFound(`No such exec instance: ${id}`);
  let containers: string[] = [];
  try {
    containers = readdirSync(join(cc.ctx.runroot, 'containers'));
  } catch {
    // no container has run yet
  }
  for (const cid of containers) {
    try {
      return JSON.parse(readFileSync(join(execsDir(cc, cid), `${id}.json`), 'utf8')) as ExecInstance;
    } catch {
      // not this container's
    }
  }
  throw notFound(`No such exec instance: ${id}`);
}

function update(cc: ContainerContext, id: string, fn: (e: ExecInstance) => ExecInstance): ExecInstance {
  const next = fn(load(cc, id));
  save(cc, next);
  return next;
}

/** `exec create`: the container must be running. */
export async function createExec(cc: ContainerContext, ref: string, config: ExecConfig): Promise<string> {
  if (!config.cmd.length) throw invalidArgument('No exec command specified');
  const c = await refreshContainer(cc, resolveContainer(cc, ref));
  if (c.state.status === 'paused') throw conflict(`Container ${c.id} is paused, unpause the container before exec`);
  if (c.state.status !== 'running') throw conflict(`Container ${c.id} is not running`);
  const id = randomBytes(32).toString('hex');
  save(cc, {
    id,
    containerId: c.id,
    config,
    sessionId: id.slice(0, 32),
    started: false,
    running: false,
    detached: false,
    exitCode: null,
    pid: 0,
  });
  containerEvent(cc, c, `exec_create: ${config.cmd.join(' ')}`, { execID: id });
  return id;
}

export interface ExecStartOptions {
  detach?: boolean;
  /** The client's ends of stdin/stdout/stderr (attached start). */
  streams?: AttachStreams;
}

/**
 * `exec start`: runs the process. Attached, it resolves when the process has ended and its
 * exit code is recorded (the docker CLI inspects the instance right after its stream closes);
 * detached, once it has started.
 */
export async function startExec(cc: ContainerContext, id: string, opts: ExecStartOptions = {}): Promise<ExecInstance> {
  const e = update(cc, id, (x) => {
    if (x.running) throw conflict(`Exec command ${id} is already running`);
    if (x.started) throw conflict(`Exec command ${id} has already run`);
    return { ...x, started: true, running: true, detached: !!opts.detach };
  });
  const c = resolveContainer(cc, e.containerId);
  containerEvent(cc, c, `exec_start: ${e.config.cmd.join(' ')}`, { execID: id });
  const cfg = e.config;
  let exitCode: number;
  try {
    const r = await execContainer(cc, e.containerId, {
      cmd: cfg.cmd,
      tty: !!cfg.tty,
      // Without a client stdin (a plain HTTP start) the process gets none, rather than one that never ends.
      stdin: !!cfg.attachStdin && !opts.detach && !!opts.streams?.stdin,
      detach: !!opts.detach,
      sessionId: e.sessionId,
      ...(cfg.env ? { env: cfg.env } : {}),
      ...(cfg.workdir ? { workdir: cfg.workdir } : {}),
      ...(cfg.user ? { user: cfg.user } : {}),
      privileged: !!cfg.privileged,
      ...(opts.streams && !opts.detach ? { streams: { ...opts.streams, ...(cfg.detachKeys !== undefined ? { detachKeys: cfg.detachKeys } : {}) } } : {}),
    });
    // Detached now (by `Detach`, or the client's detach keys): inspect reads the exit later.
    if (r.detached) return update(cc, id, (x) => ({ ...x, pid: r.pid, detached: true }));
    exitCode = r.exitCode;
    update(cc, id, (x) => ({ ...x, pid: r.pid }));
  } catch (err) {
    // dockerd records 126 for every exec it could not start, a missing command included
    // (the CLI's own `exec` says 127 for that, as Podman does).
    finish(cc, c, id, 126);
    throw err;
  }
  return finish(cc, c, id, exitCode);
}

function finish(cc: ContainerContext, c: Parameters<typeof containerEvent>[1], id: string, exitCode: number): ExecInstance {
  const e = update(cc, id, (x) => ({ ...x, running: false, exitCode }));
  containerEvent(cc, c, 'exec_die', { execID: id, exitCode: String(exitCode) });
  return e;
}

/** `exec inspect`: a detached process's end is read from its monitor's exit file. */
export async function inspectExec(cc: ContainerContext, id: string): Promise<ExecInstance> {
  const e = load(cc, id);
  if (!e.running || !e.detached) return e;
  const c = cc.records.get(e.containerId);
  if (!c) return { ...e, running: false };
  const dir = execDir(cc.runtimeContainer(c), e.sessionId);
  const exit = await readExitFile(e.containerId, { exitDir: join(dir, 'exit'), persistDir: join(dir, 'persist') });
  if (!exit) return e;
  return finish(cc, c, id, exit.code);
}

/** Sets an exec session's pty size (`-t`). */
export async function resizeExec(cc: ContainerContext, id: string, size: { rows: number; cols: number }): Promise<void> {
  const e = load(cc, id);
  const c = cc.records.get(e.containerId);
  if (!c || !e.running) throw failedPrecondition(`exec ${id} is not running`);
  const runtime = await cc.runtime(c.config.runtime);
  try {
    await runtime.resizePty(cc.runtimeContainer(c), size, e.sessionId);
  } catch (err) {
    if (!isEngineError(err)) throw err;
    throw failedPrecondition(`exec ${id}: ${err.message}`, err);
  }
}
