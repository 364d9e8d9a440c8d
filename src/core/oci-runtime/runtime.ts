/**
 * @module oci-runtime
 * The engine's view of an OCI runtime driven through a per-container monitor, in containerd's
 * shape (core/runtime/task.go): a handful of lifecycle verbs, one `features()` probe, and no
 * file layout. Where the monitor keeps its pid files, sockets and FIFOs is the implementation's
 * business (impl/runtime/conmon-runtime.ts); callers only choose the directories they must own
 * because they outlive one process: the bundle, a run dir, the exit dir and the log file.
 *
 * Lifecycle:
 *   create(c)            monitor + `runtime create`; state "created", container PID known
 *   attach(c, streams)   optional, BEFORE start, so no output is lost (nothing is replayed)
 *   start(id)            state "running"
 *   kill(id, sig) …      the monitor writes the exit status; `wait`/`readExit` read it
 *   delete(id)           removes the runtime's state; the caller removes bundle and run dir
 */
import type { Readable, Writable } from 'node:stream';

export type RuntimeStatus = 'created' | 'running' | 'paused' | 'stopped';

export interface RuntimeState {
  id: string;
  status: RuntimeStatus;
  /** The container's init PID as the host sees it; 0 once stopped. */
  pid: number;
  bundle: string;
  /** RFC 3339, as the runtime reports it. */
  created?: string;
}

export interface RuntimeContainer {
  id: string;
  /** Directory holding config.json; the monitor also creates its attach socket and ctl FIFO here. */
  bundle: string;
  /** Per-container run dir for pid files and the runtime's own log (tmpfs, lost on reboot). */
  runDir: string;
  /** Human name, informational only. */
  name?: string;
}

export interface ExitPaths {
  /** Shared directory; the monitor writes `<exitDir>/<id>` with the status. */
  exitDir: string;
  /** Per-container directory; the monitor writes `exit` and, on an OOM kill, `oom` here. */
  persistDir: string;
}

export interface CreateOptions extends ExitPaths {
  tty: boolean;
  /** Keep a stdin pipe fed from the attach socket. */
  stdin: boolean;
  /**
   * Without it the monitor closes the container's stdin when any attached client disconnects
   * (CRI-O sets it for `-i` unless stdin is "once"). A `-t` container without `stdin` never
   * closes the pty on disconnect.
   */
  leaveStdinOpen?: boolean;
  /** k8s-file log of stdout/stderr. */
  logPath: string;
  /**
   * Where output goes besides attached clients: the k8s-file at `logPath` (the default),
   * journald (tagged), or nowhere; `sizeMax` bytes at most in the file, which the monitor
   * empties on reaching it.
   */
  log?: { driver: 'k8s-file' | 'journald' | 'none'; sizeMax?: number; tag?: string };
  /** Program (argv) run by the monitor after the exit status is written, e.g. our own cleanup. */
  exitCommand?: string[];
  /** Extra arguments for the runtime (placed before the subcommand), e.g. ['--debug']. */
  runtimeArgs?: string[];
  /**
   * An `attach` follows: the implementation may set it up while the runtime creates the
   * container, so that it adds nothing to the start's latency.
   */
  willAttach?: boolean;
  /** systemd's NOTIFY_SOCKET, for a container that sends its own READY=1 (`--sdnotify=container`). */
  sdNotifySocket?: string;
}

export interface CreateResult {
  /** The container's init PID. */
  pid: number;
  /** The monitor's PID (it outlives the caller). */
  monitorPid: number;
}

export interface ExitInfo {
  /** The status as Docker reports it: the process's own code, or 128+N after signal N. */
  code: number;
  exitedAt: Date;
  oomKilled: boolean;
}

export interface AttachStreams {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  /** Docker's notation ("ctrl-p,ctrl-q"); matched in stdin only. Empty string disables. */
  detachKeys?: string;
  /**
   * Aborted when the client has gone (an API connection closed): the session ends as by
   * close(), and the process runs on under its monitor.
   */
  signal?: AbortSignal;
}

/** Why an attach session ended. */
export type AttachEnd = 'exited' | 'detached' | 'closed';

export interface AttachSession {
  /** Settles when the monitor closes the socket (process exited), keys detach, or close() is called. */
  readonly done: Promise<AttachEnd>;
  /** Ends the session from our side (stdin is closed as if the client went away). */
  close(): void;
}

export interface ExecOptions {
  /** Names the session's directory and the monitor's instance; random when absent. */
  sessionId?: string;
  tty: boolean;
  stdin: boolean;
  /** Detached: resolve with the PID once started; output goes to `logPath` or nowhere. */
  detach: boolean;
  /** For attached exec; a detached exec ignores them. */
  streams?: AttachStreams;
  logPath?: string;
  /** Program (argv) the monitor runs when the exec process ends. */
  exitCommand?: string[];
}

export type ExecResult =
  | { detached: true; sessionId: string; pid: number }
  | { detached: false; sessionId: string; pid: number; exitCode: number };

/** An OCI process object (config.json `process`): args, env, cwd, user, terminal, capabilities … */
export type ProcessSpec = Record<string, unknown> & { args: string[]; cwd: string };

export interface RuntimeFeatures {
  /** The runtime's own version line, e.g. "runc version 1.1.5+ds1". */
  version: string;
  /** `runtime features` JSON when the runtime has that subcommand (runc ≥ 1.1.0). */
  ociVersionMax?: string;
  checkpoint: boolean;
  /** Accepts `--root` (runc, crun, runsc do). */
  rootFlag: boolean;
}

export interface OciRuntime {
  readonly name: string;
  readonly path: string;
  /**
   * Starts the monitor, which runs `runtime create`. Resolves with the PIDs once the monitor
   * reports them; rejects with the runtime's own error text as an `OciRuntimeError`
   * (exitCode 126/127 when the command cannot be run).
   */
  create(c: RuntimeContainer, opts: CreateOptions): Promise<CreateResult>;
  start(id: string): Promise<void>;
  /** `all` signals every process in the container, not only its init. */
  kill(id: string, signal: string | number, all?: boolean): Promise<void>;
  /** `force` kills a running container first. Deleting an unknown container is not an error. */
  delete(id: string, force?: boolean): Promise<void>;
  /** undefined when the runtime does not know the container. */
  state(id: string): Promise<RuntimeState | undefined>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** PIDs of every process in the container (host view). */
  pids(id: string): Promise<number[]>;
  /**
   * Applies `linux.resources` (the OCI document) to a running or paused container's cgroup;
   * fields left out keep their values. `runDir` holds the document while the runtime reads it.
   */
  update(c: RuntimeContainer, resources: object): Promise<void>;
  exec(c: RuntimeContainer, process: ProcessSpec, opts: ExecOptions): Promise<ExecResult>;
  /** Sets the pty size of the container (or of an exec session when `sessionId` is given). */
  resizePty(c: RuntimeContainer, size: { rows: number; cols: number }, sessionId?: string): Promise<void>;
  /** Connects to the running container's stdio. Resolves once connected. */
  attach(c: RuntimeContainer, streams: AttachStreams): Promise<AttachSession>;
  /** The exit status the monitor recorded, or undefined while the container has not exited. */
  readExit(id: string, paths: ExitPaths): Promise<ExitInfo | undefined>;
  /**
   * Resolves when the monitor records the exit status. Rejects (Unavailable) if the monitor
   * dies without recording one, and (Canceled) when `signal` aborts.
   */
  wait(c: RuntimeContainer, paths: ExitPaths, opts?: { signal?: AbortSignal }): Promise<ExitInfo>;
  /** PID of the container's monitor while it is alive. */
  monitorPid(c: RuntimeContainer): Promise<number | undefined>;
  features(): Promise<RuntimeFeatures>;
}
