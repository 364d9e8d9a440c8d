/**
 * @module lib/containers
 * `engine.containers`: create, start, stop, wait, logs, exec, remove, and `run`, which does
 * all of that for one command and hands back its output.
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { ContainerEngine } from '../engine/containers/index.js';
import type { CreateInput } from '../engine/containers/create-input.js';
import type { ContainerStatus, ContainerSummary, ContainerPruneReport } from '../engine/containers/types.js';
import type { LogRecord } from '../core/oci-runtime/k8s-log.js';
import type { AttachEnd } from '../core/oci-runtime/runtime.js';
import { cancellable, filterMap, type Cancellable, type Filters } from './common.js';

export type { ContainerStatus, ContainerSummary, ContainerPruneReport, LogRecord, AttachEnd };
export type { LogStream } from '../core/oci-runtime/k8s-log.js';

/** What a container runs and how; the names follow `docker create`'s flags. */
export interface ContainerCreateOptions {
  /** Image name or id; it must be present (pull it first). */
  image: string;
  name?: string;
  /** Replaces the image's Cmd. */
  command?: string[];
  /** Replaces the image's Entrypoint and drops its Cmd. `[]` runs the command alone. */
  entrypoint?: string[];
  /** `KEY=VALUE` entries, over the image's. */
  env?: string[];
  workdir?: string;
  /** `uid[:gid]` or `name[:group]`. */
  user?: string;
  hostname?: string;
  labels?: Record<string, string>;
  /** Allocate a pseudo-terminal: output then comes as one stream. */
  tty?: boolean;
  /** Keep stdin open (`-i`). */
  stdinOpen?: boolean;
  /** `bridge` (default), `none`, `host`, `container:NAME` or network names, comma-separated. */
  network?: string;
  /** `-v`: `[SRC:]DST[:OPTS]`, a host path or a volume name as the source. */
  binds?: string[];
  readOnly?: boolean;
  /** Remove the container once it exits (`--rm`). */
  autoRemove?: boolean;
  /** `no`, `always`, `on-failure[:N]`, `unless-stopped`. */
  restart?: string;
  /** Seconds `stop` waits before it kills. */
  stopTimeout?: number;
  stopSignal?: string;
  /** `--pod NAME`: join that pod. */
  pod?: string;
  /** `--init`: run an init as PID 1. */
  init?: boolean;
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
}

export interface ContainerCreateResult {
  id: string;
  name: string;
  warnings: string[];
}

export interface ContainerListOptions {
  /** Stopped containers too. */
  all?: boolean;
  /** Add SizeRw and SizeRootFs. */
  size?: boolean;
  /** `id`, `name`, `label`, `status`, `ancestor`, `exited`, `network`, `volume`, `before`, `since`, `health`. */
  filters?: Filters;
}

/** Docker's container inspect document; the fields below are the ones most callers read. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  State: {
    Status: ContainerStatus;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    OOMKilled: boolean;
    Dead: boolean;
    Pid: number;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
  };
  Config: { Image: string; Cmd: string[] | null; Entrypoint: string[] | null; Env: string[]; Labels: Record<string, string>; Tty: boolean };
  [field: string]: unknown;
}

export interface ContainerStopOptions {
  /** Seconds before SIGKILL; default the container's stop timeout. */
  timeout?: number;
}

export interface ContainerRemoveOptions {
  /** Kill it first when running. */
  force?: boolean;
  /** Remove its anonymous volumes. */
  volumes?: boolean;
}

export interface ContainerLogsOptions extends Cancellable {
  /** Keep reading while the container runs; ends when it stops or `signal` aborts. */
  follow?: boolean;
  /** Only the last N lines. */
  tail?: number;
  since?: Date;
  until?: Date;
}

/** Where a container's stdio goes; Node streams, written as output arrives. */
export interface AttachStreams extends Cancellable {
  stdin?: Readable;
  stdout?: Writable;
  /** Ignored with `tty` (the terminal merges both into stdout). */
  stderr?: Writable;
}

/** A live attach: `done` settles when the process exits, the session is closed or `signal` aborts. */
export interface AttachSession {
  readonly done: Promise<AttachEnd>;
  close(): void;
}

export interface ContainerExecOptions {
  /** Output of the process; without streams the exec's output is discarded. */
  streams?: AttachStreams;
  tty?: boolean;
  env?: string[];
  workdir?: string;
  user?: string;
  privileged?: boolean;
}

export interface ContainerRunOptions extends ContainerCreateOptions, Cancellable {
  /** Written to the container's stdin, which is then closed. */
  input?: string | Buffer;
  /** Remove the container when it has exited (default true). */
  remove?: boolean;
}

export interface ContainerRunResult {
  id: string;
  exitCode: number;
  /** All of stdout (with `tty`, the terminal's output). */
  stdout: Buffer;
  stderr: Buffer;
}

/** Containers: the lifecycle of one process tree each, as `docker container …` drives it. */
export interface Containers {
  create(opts: ContainerCreateOptions): Promise<ContainerCreateResult>;
  start(ref: string): Promise<void>;
  /** SIGTERM (or the stop signal), then SIGKILL after the timeout. */
  stop(ref: string, opts?: ContainerStopOptions): Promise<void>;
  restart(ref: string, opts?: ContainerStopOptions): Promise<void>;
  kill(ref: string, signal?: string): Promise<void>;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  /** Resolves with the exit code once the container is not running. */
  wait(ref: string, opts?: Cancellable): Promise<number>;
  remove(ref: string, opts?: ContainerRemoveOptions): Promise<void>;
  rename(ref: string, name: string): Promise<void>;
  list(opts?: ContainerListOptions): Promise<ContainerSummary[]>;
  inspect(ref: string, opts?: { size?: boolean }): Promise<ContainerInspect>;
  /**
   * The container's log, one record per line (without its newline), oldest first. The
   * container's log driver must keep a readable log (the default `k8s-file` does).
   */
  logs(ref: string, opts?: ContainerLogsOptions): AsyncIterable<LogRecord>;
  /** Connects streams to a running container; with `beforeStart`, to one this engine starts next. */
  attach(ref: string, streams: AttachStreams, opts?: { beforeStart?: boolean }): Promise<AttachSession>;
  /** Runs a process in a running container; resolves with its exit code. */
  exec(ref: string, command: string[], opts?: ContainerExecOptions): Promise<number>;
  /** Stopped containers matching `filters` (`until`, `label`). */
  prune(filters?: Filters): Promise<ContainerPruneReport>;
  /** create, start with stdio attached, wait, and (by default) remove: the output and the exit code. */
  run(opts: ContainerRunOptions): Promise<ContainerRunResult>;
}

function createInput(o: ContainerCreateOptions): CreateInput {
  const opts: CreateInput['opts'] = {};
  const copy = ['command', 'entrypoint', 'env', 'workdir', 'user', 'hostname', 'labels', 'tty', 'stdinOpen', 'readOnly', 'stopSignal', 'privileged', 'capAdd', 'capDrop'] as const;
  for (const k of copy) if (o[k] !== undefined) (opts as Record<string, unknown>)[k] = o[k];
  return {
    image: o.image,
    opts,
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.network !== undefined ? { network: o.network } : {}),
    ...(o.binds ? { binds: o.binds } : {}),
    ...(o.autoRemove ? { autoRemove: true } : {}),
    ...(o.restart !== undefined ? { restart: o.restart } : {}),
    ...(o.stopTimeout !== undefined ? { stopTimeout: o.stopTimeout } : {}),
    ...(o.pod !== undefined ? { pod: o.pod } : {}),
    ...(o.init ? { initProcess: true } : {}),
  };
}

function collector(): { stream: PassThrough; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, bytes: () => Buffer.concat(chunks) };
}

export function containersOf(containers: () => ContainerEngine): Containers {
  const api: Containers = {
    create: async (o) => containers().create(createInput(o)),
    start: async (ref) => void (await containers().start(ref)),
    stop: async (ref, o = {}) => void (await containers().stop(ref, o.timeout)),
    restart: async (ref, o = {}) => void (await containers().restart(ref, o.timeout)),
    kill: async (ref, signal) => void (await containers().kill(ref, signal)),
    pause: async (ref) => void (await containers().pause(ref)),
    unpause: async (ref) => void (await containers().unpause(ref)),
    wait: (ref, o = {}) => cancellable(o.signal, `waiting for ${ref}`, () => containers().wait(ref, o.signal ? { signal: o.signal } : {})),
    remove: async (ref, o = {}) => void (await containers().remove(ref, { force: o.force, volumes: o.volumes })),
    rename: async (ref, name) => containers().rename(ref, name),
    list: async (o = {}) => containers().list({ all: o.all, size: o.size, filters: filterMap(o.filters) }),
    inspect: async (ref, o) => (await containers().inspect(ref, o)) as unknown as ContainerInspect,
    logs: (ref, o = {}) => {
      const { follow, tail, since, until, signal } = o;
      return containers().logs(ref, { follow, tail, since, until, signal });
    },
    attach: (ref, s, o) => containers().attach(ref, s, o),
    exec: (ref, command, o = {}) =>
      cancellable(o.streams?.signal, `exec in ${ref}`, async () => {
        const r = await containers().exec(ref, { cmd: command, tty: o.tty, stdin: !!o.streams?.stdin, env: o.env, workdir: o.workdir, user: o.user, privileged: o.privileged, streams: o.streams });
        return r.detached ? 0 : r.exitCode;
      }),
    prune: async (filters) => containers().prune(filterMap(filters)),
    run: (o) =>
      cancellable(o.signal, `running ${o.image}`, async () => {
        const interactive = o.input !== undefined;
        const { id } = await containers().create(createInput({ ...o, stdinOpen: o.stdinOpen || interactive }));
        const out = collector();
        const err = collector();
        const stdin = interactive ? PassThrough.from([Buffer.from(o.input!)]) : undefined;
        try {
          const started = await containers().start(id, {
            attach: { stdout: out.stream, stderr: err.stream, ...(stdin ? { stdin } : {}), ...(o.signal ? { signal: o.signal } : {}) },
          });
          const exitCode = await containers().wait(id, o.signal ? { signal: o.signal } : {});
          await started.attach?.done;
          return { id, exitCode, stdout: out.bytes(), stderr: err.bytes() };
        } finally {
          if (o.remove !== false && !o.autoRemove) await containers().remove(id, { force: true, volumes: true }).catch(() => undefined);
        }
      }),
  };
  return api;
}
