/**
 * conmon, the per-container monitor: its command line (as Podman 4.3 builds it, minus the
 * Podman-only parts) and the pipe handshake.
 *
 * Handshake (conmon 2.1, API v1): fd 3 = sync pipe, fd 4 = start pipe, fd 5 = attach pipe
 * (exec --exec-attach only). conmon blocks on the start pipe until it reads a byte (the parent
 * would put it into a cgroup first), forks twice and lets the first process exit; the daemon
 * runs `runtime create` (or `exec`) and writes one JSON line per event on the sync pipe:
 * `{"data": PID}` on success, `{"data": -1, "message": "…"}` on failure, and for an attached
 * exec later `{"data": EXITCODE}`. With --exec-attach it first writes `{"data": 0}` on the
 * attach pipe once the attach socket exists, then waits for a second start byte.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { EngineError } from '../../core/errdefs.js';
import { rootlessUid } from '../../sys/linux/rootless-uid.js';

export interface ConmonArgs {
  /** Container ID (-c): the runtime's name for the container and the exit file's name. */
  id: string;
  /** Instance ID (-u): the container ID for create, the session ID for exec. */
  instanceId: string;
  name: string;
  runtimePath: string;
  /** Global runtime flags (`--root …`, `--log-format=json --log FILE`), each passed as --runtime-arg. */
  runtimeArgs: string[];
  bundle: string;
  /** The runtime writes the container (or exec) PID here. */
  pidFile: string;
  exitDir: string;
  persistDir?: string;
  /** `k8s-file:PATH`, `journald`, `none`, …; several allowed. */
  logDrivers: string[];
  /** --log-size-max: conmon empties the k8s-file when the next line would pass it. */
  logSizeMax?: number;
  /** --log-tag (journald only: conmon refuses it with k8s-file alone). */
  logTag?: string;
  logLevel?: 'error' | 'warning' | 'info' | 'debug';
  conmonPidFile?: string;
  exitCommand?: string[];
  tty: boolean;
  stdin: boolean;
  leaveStdinOpen?: boolean;
  exec?: { processSpecPath: string; attach: boolean };
  /** The host's NOTIFY_SOCKET: conmon hands the container a socket and relays what it sends. */
  sdNotifySocket?: string;
}

/**
 * conmon's argv. Never `--syslog` (no /dev/log on these hosts: conmon would exit 1), never
 * `--log-tag` with k8s-file (conmon refuses the pair). `--full-attach` keeps the attach socket
 * in the bundle, so no symlink dir is needed; we connect through /proc/self/fd like Podman.
 */
export function conmonArgv(a: ConmonArgs): string[] {
  // `--api-version` is a switch; the `1` is a stray positional conmon ignores, kept as Podman sends it.
  const argv = ['--api-version', '1', '-c', a.id, '-u', a.instanceId, '-r', a.runtimePath, '-b', a.bundle, '-p', a.pidFile];
  argv.push('-n', a.name, '--exit-dir', a.exitDir, '--full-attach');
  if (a.persistDir) argv.push('--persist-dir', a.persistDir);
  for (const l of a.logDrivers) argv.push('-l', l);
  if (a.logSizeMax !== undefined && a.logSizeMax > 0) argv.push('--log-size-max', String(a.logSizeMax));
  if (a.logTag) argv.push('--log-tag', a.logTag);
  argv.push('--log-level', a.logLevel ?? 'warning');
  for (const r of a.runtimeArgs) argv.push(`--runtime-arg=${r}`);
  if (a.conmonPidFile) argv.push('--conmon-pidfile', a.conmonPidFile);
  if (a.sdNotifySocket) argv.push('--sdnotify-socket', a.sdNotifySocket);
  if (a.tty) argv.push('-t');
  if (a.stdin) argv.push('-i');
  if (a.leaveStdinOpen && a.stdin) argv.push('--leave-stdin-open');
  if (a.exec) {
    argv.push('-e');
    if (a.exec.attach) argv.push('--exec-attach');
    argv.push('--exec-process-spec', a.exec.processSpecPath);
  }
  if (a.exitCommand?.length) {
    argv.push('--exit-command', a.exitCommand[0]!);
    for (const x of a.exitCommand.slice(1)) argv.push('--exit-command-arg', x);
  }
  return argv;
}

/** The environment Podman gives conmon (and so the runtime and the exit command). */
export function conmonEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: process.env.HOME ?? '/root',
    // A user's exit command finds their run dir (auth, socket) by it; root's needs none.
    XDG_RUNTIME_DIR: rootlessUid() !== undefined ? (process.env.XDG_RUNTIME_DIR ?? '') : '',
  };
  for (const k of ['XDG_DATA_HOME', 'XDG_CONFIG_HOME']) if (rootlessUid() !== undefined && process.env[k] !== undefined) env[k] = process.env[k]!;
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('LC_') && v !== undefined) env[k] = v;
  // The exit command (`skiff container cleanup`) must read the config this process did, as
  // Podman's reads CONTAINERS_CONF: with the defaults it would tear the network down through
  // another netavark config dir and leave the container's aardvark-dns entry behind.
  for (const k of ['SKIFF_CONFIG', 'SKIFF_STORAGE_DRIVER']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return { ...env, ...extra };
}

export interface SyncMessage {
  data: number;
  message?: string;
}

/** Newline-delimited JSON messages from one of conmon's pipes. */
class PipeReader {
  private buf = '';
  private readonly queue: SyncMessage[] = [];
  private waiter: { resolve: (m: SyncMessage) => void; reject: (e: Error) => void } | null = null;
  private ended: Error | null = null;

  constructor(stream: Readable, private readonly onEnd: () => Error) {
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      this.buf += d;
      for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
        const line = this.buf.slice(0, i).trim();
        this.buf = this.buf.slice(i + 1);
        if (line) this.deliver(line);
      }
    });
    stream.on('end', () => this.fail(this.onEnd()));
    stream.on('error', (e) => this.fail(e));
  }

  private deliver(line: string): void {
    let m: SyncMessage;
    try {
      const j = JSON.parse(line) as { data?: unknown; message?: unknown };
      m = { data: Number(j.data), message: typeof j.message === 'string' ? j.message : undefined };
    } catch (e) {
      this.fail(new EngineError('Internal', `conmon sent an unreadable message: ${JSON.stringify(line)}`, { cause: e }));
      return;
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(m);
    } else this.queue.push(m);
  }

  fail(e: Error): void {
    this.ended ??= e;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(e);
  }

  next(timeoutMs: number, what: string): Promise<SyncMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new EngineError('Unavailable', `conmon did not report ${what} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiter = {
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }
}

/** A conmon being started: the first process until it forks, then only our pipe ends. */
export class ConmonProcess {
  readonly child: ChildProcess;
  private readonly sync: PipeReader;
  private readonly attachPipe: PipeReader | null;
  private readonly startPipe: Writable;
  private stderr = '';
  private exitCode: number | null = null;

  private constructor(path: string, argv: string[], cwd: string, withAttachPipe: boolean) {
    const extra: Record<string, string> = { _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' };
    if (withAttachPipe) extra._OCI_ATTACHPIPE = '5';
    const stdio: ('ignore' | 'pipe')[] = ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'];
    if (withAttachPipe) stdio.push('pipe');
    // detached: own session/process group, as Podman's setpgid, so a ctrl-c aimed at the CLI
    // never reaches the monitor. cwd = bundle: conmon 2.1.6 writes its `oom` file relative to it.
    this.child = spawn(path, argv, { cwd, env: conmonEnv(extra), detached: true, stdio });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (d: string) => (this.stderr += d));
    this.child.on('exit', (code) => (this.exitCode = code));
    // A non-zero exit of the first process means conmon refused its arguments or could not
    // fork; 'close' (not 'exit') so that its stderr has been read in full.
    this.child.on('close', (code) => {
      if (code !== 0) this.sync.fail(this.failure());
    });
    const eof = () => this.failure();
    const fds = this.child.stdio as unknown as (Readable | Writable | null)[];
    this.sync = new PipeReader(fds[3] as Readable, eof);
    this.startPipe = fds[4] as Writable;
    this.startPipe.on('error', () => undefined);
    this.attachPipe = withAttachPipe ? new PipeReader(fds[5] as Readable, eof) : null;
  }

  static spawn(path: string, argv: string[], cwd: string, opts: { attachPipe?: boolean } = {}): Promise<ConmonProcess> {
    const p = new ConmonProcess(path, argv, cwd, !!opts.attachPipe);
    return new Promise((resolve, reject) => {
      p.child.once('spawn', () => resolve(p));
      p.child.once('error', (e) => reject(new EngineError('Unavailable', `cannot run conmon ${path}: ${e.message}`, { cause: e })));
    });
  }

  private failure(): Error {
    const text = this.stderr.trim();
    const how = this.exitCode === null ? 'closed its pipe' : `exited with status ${this.exitCode}`;
    return new EngineError('Internal', `conmon ${how} before reporting${text ? `: ${text}` : ''}`);
  }

  /** Releases conmon's wait on the start pipe (once per wait). */
  signalStart(): void {
    this.startPipe.write(Buffer.from([0]));
  }

  nextSync(timeoutMs: number, what: string): Promise<SyncMessage> {
    return this.sync.next(timeoutMs, what);
  }

  nextAttach(timeoutMs: number): Promise<SyncMessage> {
    if (!this.attachPipe) throw new EngineError('Internal', 'conmon was started without an attach pipe');
    return this.attachPipe.next(timeoutMs, 'its attach socket');
  }

  /** What conmon wrote on its own stderr (before it reopened it on /dev/null). */
  get stderrText(): string {
    return this.stderr;
  }

  /** Lets go of the monitor: our pipe ends are closed, and it no longer keeps Node alive. */
  release(): void {
    // A wait still pending (an attached exec the client detached from) ends here: its timer
    // would keep Node alive for as long as it was given.
    const released = new EngineError('Canceled', 'conmon was released');
    this.sync.fail(released);
    this.attachPipe?.fail(released);
    for (const s of this.child.stdio) s?.destroy();
    this.child.unref();
  }
}
