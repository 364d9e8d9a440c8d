/**
 * OciRuntime for any runc-compatible runtime, each container watched by its own conmon.
 * Files it keeps per container: in the bundle conmon's `attach` socket and `ctl`/`winsz`
 * FIFOs; in the run dir `pidfile` (container PID), `conmon.pid` and `oci-log` (the runtime's
 * JSON log, whose error line is the best explanation of a failed create).
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../core/errdefs.js';
import { startError } from '../../core/oci-runtime/errors.js';
import type {
  AttachSession, AttachStreams, CreateOptions, CreateResult, ExecOptions, ExecResult, ExitInfo, ExitPaths, OciRuntime,
  ProcessSpec, RuntimeContainer, RuntimeFeatures, RuntimeState,
} from '../../core/oci-runtime/runtime.js';
import { attachSocket, warmUpAttach } from './attach.js';
import { ConmonProcess, conmonArgv } from './conmon.js';
import { execDir, execInContainer } from './exec.js';
import { clearExitFiles, readExitFile, waitForExit } from './exit-file.js';
import { OciCli, runtimeMessage } from './oci-cli.js';

export interface ConmonRuntimeOptions {
  /** "runc", "crun", or the basename of a path given with --runtime. */
  name: string;
  path: string;
  conmonPath: string;
  /** The runtime's `--root`; give each runtime (and each test) its own. */
  stateDir: string;
  /** How long to wait for conmon to report the PID. Podman waits 240 s. */
  timeoutMs?: number;
  /** conmon's own log level. */
  logLevel?: 'error' | 'warning' | 'info' | 'debug';
}

const ENXIO = 'ENXIO';

function logDrivers(o: CreateOptions): string[] {
  switch (o.log?.driver ?? 'k8s-file') {
    case 'none':
      return ['none'];
    case 'journald':
      return ['journald'];
    default:
      return [`k8s-file:${o.logPath}`];
  }
}

export class ConmonRuntime implements OciRuntime {
  readonly name: string;
  readonly path: string;
  private readonly cli: OciCli;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ConmonRuntimeOptions) {
    this.name = opts.name;
    this.path = opts.path;
    this.cli = new OciCli({ path: opts.path, root: opts.stateDir });
    this.timeoutMs = opts.timeoutMs ?? 240_000;
  }

  private runtimeArgs(c?: RuntimeContainer, extra: string[] = []): string[] {
    const log = c ? ['--log-format=json', '--log', join(c.runDir, 'oci-log')] : [];
    return [...this.cli.globalArgs(), ...log, ...extra];
  }

  async create(c: RuntimeContainer, o: CreateOptions): Promise<CreateResult> {
    await Promise.all([c.runDir, o.exitDir, o.persistDir, this.opts.stateDir].map((d) => mkdir(d, { recursive: true })));
    await clearExitFiles(c.id, o);
    const ociLog = join(c.runDir, 'oci-log');
    await rm(ociLog, { force: true });
    // conmon binds its relay socket at <bundle>/notify/notify.sock and does not make the dir.
    if (o.sdNotifySocket) await mkdir(join(c.bundle, 'notify'), { recursive: true });
    const argv = conmonArgv({
      id: c.id,
      instanceId: c.id,
      name: c.name ?? c.id,
      runtimePath: this.path,
      runtimeArgs: this.runtimeArgs(c, o.runtimeArgs),
      bundle: c.bundle,
      pidFile: join(c.runDir, 'pidfile'),
      exitDir: o.exitDir,
      persistDir: o.persistDir,
      logDrivers: logDrivers(o),
      logSizeMax: o.log?.sizeMax,
      logTag: o.log?.driver === 'journald' ? o.log.tag : undefined,
      logLevel: this.opts.logLevel,
      conmonPidFile: join(c.runDir, 'conmon.pid'),
      exitCommand: o.exitCommand,
      tty: o.tty,
      stdin: o.stdin,
      leaveStdinOpen: o.leaveStdinOpen,
      sdNotifySocket: o.sdNotifySocket,
    });
    const conmon = await ConmonProcess.spawn(this.opts.conmonPath, argv, c.bundle);
    try {
      conmon.signalStart();
      // The attach socket's reader thread boots while conmon and the runtime do their work.
      if (o.willAttach) warmUpAttach();
      let reported: { data: number; message?: string };
      try {
        reported = await conmon.nextSync(this.timeoutMs, 'the container PID');
      } catch (e) {
        // conmon hung up without a message: the runtime's own log may still say why.
        const why = await this.ociLogMessage(ociLog);
        if (why) throw startError(why, { cause: e });
        throw e;
      }
      if (reported.data <= 0) {
        const why = (await this.ociLogMessage(ociLog)) || reported.message?.trim() || `${this.name} create failed`;
        await this.cli.delete(c.id, true).catch(() => undefined);
        throw startError(why);
      }
      const monitorPid = await this.readPid(join(c.runDir, 'conmon.pid'));
      return { pid: reported.data, monitorPid: monitorPid ?? 0 };
    } finally {
      conmon.release();
    }
  }

  private async ociLogMessage(path: string): Promise<string> {
    try {
      return runtimeMessage(await readFile(path, 'utf8'));
    } catch {
      return '';
    }
  }

  private async readPid(path: string): Promise<number | undefined> {
    try {
      const pid = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
      return Number.isFinite(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  start(id: string): Promise<void> {
    return this.cli.start(id);
  }

  kill(id: string, signal: string | number, all = false): Promise<void> {
    return this.cli.kill(id, signal, all);
  }

  delete(id: string, force = false): Promise<void> {
    return this.cli.delete(id, force);
  }

  state(id: string): Promise<RuntimeState | undefined> {
    return this.cli.state(id);
  }

  pause(id: string): Promise<void> {
    return this.cli.pause(id);
  }

  resume(id: string): Promise<void> {
    return this.cli.resume(id);
  }

  pids(id: string): Promise<number[]> {
    return this.cli.ps(id);
  }

  async update(c: RuntimeContainer, resources: object): Promise<void> {
    const file = join(c.runDir, 'resources.json');
    await writeFile(file, JSON.stringify(resources), { mode: 0o600 });
    try {
      await this.cli.update(c.id, file);
    } finally {
      await rm(file, { force: true });
    }
  }

  exec(c: RuntimeContainer, process: ProcessSpec, opts: ExecOptions): Promise<ExecResult> {
    const ctx = { conmonPath: this.opts.conmonPath, runtimePath: this.path, runtimeArgs: this.runtimeArgs(), timeoutMs: this.timeoutMs };
    return execInContainer(ctx, c, process, opts);
  }

  /**
   * conmon's ctl FIFO takes `1 <rows> <cols>\n` and applies it to the pty. Opened non-blocking
   * (Podman does too): ENXIO means no reader, i.e. conmon is gone.
   */
  async resizePty(c: RuntimeContainer, size: { rows: number; cols: number }, sessionId?: string): Promise<void> {
    const dir = sessionId ? execDir(c, sessionId) : c.bundle;
    const line = Buffer.from(`1 ${Math.trunc(size.rows)} ${Math.trunc(size.cols)}\n`);
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        const fh = await open(join(dir, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
        try {
          await fh.write(line);
          return;
        } finally {
          await fh.close();
        }
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if ((code === 'EAGAIN' || code === 'EINTR') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        if (code === ENXIO || code === 'ENOENT') {
          throw new EngineError('FailedPrecondition', `cannot resize: ${c.id} has no running monitor`, { cause: e });
        }
        throw e;
      }
    }
  }

  async attach(c: RuntimeContainer, streams: AttachStreams): Promise<AttachSession> {
    return attachSocket(join(c.bundle, 'attach'), streams);
  }

  readExit(id: string, paths: ExitPaths): Promise<ExitInfo | undefined> {
    return readExitFile(id, paths);
  }

  async wait(c: RuntimeContainer, paths: ExitPaths, opts: { signal?: AbortSignal } = {}): Promise<ExitInfo> {
    return waitForExit(c.id, paths, { ...opts, monitorAlive: async () => (await this.monitorPid(c)) !== undefined });
  }

  /** The PID from conmon.pid while that process is alive and still conmon (PIDs are reused). */
  async monitorPid(c: RuntimeContainer): Promise<number | undefined> {
    const pid = await this.readPid(join(c.runDir, 'conmon.pid'));
    if (!pid) return undefined;
    try {
      // "pid (comm) state …": a zombie waiting for init to reap it is gone for our purposes.
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      return stat.includes(' (conmon) ') && stat.split(') ')[1]?.[0] !== 'Z' ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  async features(): Promise<RuntimeFeatures> {
    const [version, f] = await Promise.all([this.cli.version(), this.cli.features()]);
    const help = await this.cli.run(['checkpoint', '--help'], { global: false });
    return {
      version,
      ociVersionMax: typeof f?.ociVersionMax === 'string' ? f.ociVersionMax : undefined,
      checkpoint: help.code === 0,
      rootFlag: true,
    };
  }
}
