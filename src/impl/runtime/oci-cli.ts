/**
 * The OCI runtime's command line (runc, crun and friends share it): `<runtime> --root R
 * --log-format json <verb> …`. The monitor runs `create`/`exec`; everything else is here.
 *
 * runc reports failures only as exit status 1 plus a log line on stderr
 * (`{"level":"error","msg":"container does not exist",…}` with --log-format json; crun prints
 * plain text), so the error class has to come from the message. Each mapping is listed in
 * `classify` with the runtime's wording it relies on.
 */
import { spawn } from 'node:child_process';
import { EngineError } from '../../core/errdefs.js';
import type { ErrorCode } from '../../core/errdefs.js';
import { OciRuntimeError } from '../../core/oci-runtime/errors.js';
import type { RuntimeState, RuntimeStatus } from '../../core/oci-runtime/runtime.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface OciCliOptions {
  /** The runtime binary. */
  path: string;
  /** The runtime's state directory (`--root`); one per runtime name under skiff's runroot. */
  root: string;
  /** Extra global flags, placed before the verb. */
  globalArgs?: string[];
}

const STATUSES: readonly RuntimeStatus[] = ['created', 'running', 'paused', 'stopped'];

/** The runtime's own message out of its stderr: JSON log lines, logrus text lines, or raw text. */
export function runtimeMessage(stderr: string): string {
  const msgs: string[] = [];
  for (const line of stderr.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    if (t.startsWith('{')) {
      try {
        const j = JSON.parse(t) as { level?: string; msg?: string };
        if (j.msg && (j.level === 'error' || j.level === 'fatal')) msgs.push(j.msg);
        continue;
      } catch {
        // not JSON after all: keep the raw line below
      }
    }
    const logrus = /level=(?:error|fatal) msg="((?:[^"\\]|\\.)*)"/.exec(t);
    if (logrus) msgs.push(logrus[1]!.replace(/\\(.)/g, '$1'));
    else if (!/^time=".*" level=(?:warning|info|debug)/.test(t)) msgs.push(t);
  }
  return [...new Set(msgs)].join('; ');
}

function classify(message: string): ErrorCode {
  const m = message.toLowerCase();
  // runc: "container does not exist"; crun: "container `x` does not exist" / "No such file or directory" on the state dir.
  if (/does not exist|container not found/.test(m)) return 'NotFound';
  // runc: "container not running", "container not paused", "cannot start a container that has stopped",
  // "cannot pause a container that is not running", "cannot delete container … that is not stopped: running".
  if (/not running|not paused|not stopped|has stopped|cannot (start|pause|resume|delete)|already/.test(m)) return 'FailedPrecondition';
  return 'Internal';
}

export class OciCli {
  constructor(private readonly opts: OciCliOptions) {}

  get path(): string {
    return this.opts.path;
  }

  /** Global flags every invocation (and the monitor's) must share, so all see the same state. */
  globalArgs(): string[] {
    return ['--root', this.opts.root, ...(this.opts.globalArgs ?? [])];
  }

  run(args: string[], opts: { timeoutMs?: number; global?: boolean } = {}): Promise<CliResult> {
    const argv = opts.global === false ? args : [...this.globalArgs(), '--log-format', 'json', ...args];
    return new Promise((resolve, reject) => {
      // Under a systemd unit of Type=notify the caller has NOTIFY_SOCKET; `runc start` seeing it
      // would wait for the container to send READY=1 itself. skiff notifies (sd-notify.ts).
      const { NOTIFY_SOCKET: _notify, ...env } = process.env;
      const child = spawn(this.opts.path, argv, { stdio: ['ignore', 'pipe', 'pipe'], env, timeout: opts.timeoutMs ?? 60_000 });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => reject(new EngineError('Unavailable', `cannot run ${this.opts.path}: ${e.message}`, { cause: e })));
      child.on('close', (code, signal) =>
        resolve({
          code: code ?? 128 + (signal ? 9 : 0),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        }),
      );
    });
  }

  /** Runs a verb and fails with the runtime's message, classified. */
  async must(args: string[], what: string): Promise<CliResult> {
    const r = await this.run(args);
    if (r.code !== 0) {
      const msg = runtimeMessage(r.stderr) || `exit status ${r.code}`;
      throw new OciRuntimeError(classify(msg), `${what}: ${msg}`);
    }
    return r;
  }

  async state(id: string): Promise<RuntimeState | undefined> {
    const r = await this.run(['state', id]);
    if (r.code !== 0) {
      const msg = runtimeMessage(r.stderr) || `exit status ${r.code}`;
      if (classify(msg) === 'NotFound') return undefined;
      throw new OciRuntimeError(classify(msg), `state of ${id}: ${msg}`);
    }
    const j = JSON.parse(r.stdout) as { id: string; status: string; pid?: number; bundle: string; created?: string };
    const status = STATUSES.find((s) => s === j.status);
    if (!status) throw new OciRuntimeError('Internal', `state of ${id}: unknown status ${JSON.stringify(j.status)}`);
    return { id: j.id, status, pid: j.pid ?? 0, bundle: j.bundle, created: j.created };
  }

  async start(id: string): Promise<void> {
    await this.must(['start', id], `start ${id}`);
  }

  async kill(id: string, signal: string | number, all = false): Promise<void> {
    await this.must(['kill', ...(all ? ['--all'] : []), id, String(signal)], `kill ${id}`);
  }

  /** Deleting a container the runtime does not know succeeds (it is already gone). */
  async delete(id: string, force = false): Promise<void> {
    const r = await this.run(['delete', ...(force ? ['--force'] : []), id]);
    if (r.code === 0) return;
    const msg = runtimeMessage(r.stderr) || `exit status ${r.code}`;
    if (classify(msg) === 'NotFound') return;
    throw new OciRuntimeError(classify(msg), `delete ${id}: ${msg}`);
  }

  async pause(id: string): Promise<void> {
    await this.must(['pause', id], `pause ${id}`);
  }

  async resume(id: string): Promise<void> {
    await this.must(['resume', id], `resume ${id}`);
  }

  /** `update --resources FILE`: the OCI linux.resources document in a file. */
  async update(id: string, resourcesFile: string): Promise<void> {
    await this.must(['update', '--resources', resourcesFile, id], `update ${id}`);
  }

  async ps(id: string): Promise<number[]> {
    const r = await this.must(['ps', '--format', 'json', id], `ps ${id}`);
    const pids = JSON.parse(r.stdout || '[]') as number[] | null;
    return pids ?? [];
  }

  /** First line of `--version`. */
  async version(): Promise<string> {
    const r = await this.run(['--version'], { global: false });
    if (r.code !== 0) throw new OciRuntimeError('Unavailable', `${this.opts.path} --version: ${runtimeMessage(r.stderr)}`);
    return r.stdout.split('\n')[0]!.trim();
  }

  /** `features` JSON (runc ≥ 1.1), undefined when the runtime lacks the verb. */
  async features(): Promise<Record<string, unknown> | undefined> {
    const r = await this.run(['features'], { global: false });
    if (r.code !== 0) return undefined;
    try {
      return JSON.parse(r.stdout) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
}
