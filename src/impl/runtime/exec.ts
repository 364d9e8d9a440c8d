/**
 * exec through conmon (`-e --exec-process-spec F`), as Podman does: conmon runs
 * `runtime exec --detach --pid-file P --process F <id>` and watches the process like a
 * container. Each session gets a directory `<bundle>/exec/<session>` holding the process spec,
 * the PID file, the attach socket and `exit/<id>`.
 *
 * Attached (--exec-attach, fd 5): start byte → `{"data": 0}` on the attach pipe when the
 * socket exists → connect → second start byte → sync `{"data": PID}` → sync `{"data": CODE}`
 * when the process ends. Detached: start byte → sync `{"data": PID}`, and we let go.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startError } from '../../core/oci-runtime/errors.js';
import type { AttachSession, ExecOptions, ExecResult, ProcessSpec, RuntimeContainer } from '../../core/oci-runtime/runtime.js';
import { EngineError } from '../../core/errdefs.js';
import { attachSocket } from './attach.js';
import { ConmonProcess, conmonArgv } from './conmon.js';

export interface ExecContext {
  conmonPath: string;
  runtimePath: string;
  runtimeArgs: string[];
  timeoutMs: number;
}

/** The directory of one exec session; its ctl FIFO takes resize requests. */
export function execDir(c: RuntimeContainer, sessionId: string): string {
  return join(c.bundle, 'exec', sessionId);
}

// Practically forever: an attached exec lasts as long as its process.
const NO_TIMEOUT = 2 ** 31 - 1;

export async function execInContainer(
  ctx: ExecContext,
  c: RuntimeContainer,
  process: ProcessSpec,
  opts: ExecOptions,
): Promise<ExecResult> {
  const sessionId = opts.sessionId ?? randomBytes(16).toString('hex');
  const dir = execDir(c, sessionId);
  await mkdir(join(dir, 'exit'), { recursive: true, mode: 0o755 });
  const specPath = join(dir, 'process.json');
  await writeFile(specPath, JSON.stringify({ ...process, terminal: opts.tty }));
  const attach = !opts.detach;
  const argv = conmonArgv({
    id: c.id,
    instanceId: sessionId,
    name: c.name ?? c.id,
    runtimePath: ctx.runtimePath,
    runtimeArgs: ctx.runtimeArgs,
    bundle: dir,
    pidFile: join(dir, 'exec_pid'),
    exitDir: join(dir, 'exit'),
    logDrivers: [opts.logPath ? `k8s-file:${opts.logPath}` : 'none'],
    tty: opts.tty,
    stdin: opts.stdin && attach,
    exec: { processSpecPath: specPath, attach },
    exitCommand: opts.exitCommand,
  });
  const conmon = await ConmonProcess.spawn(ctx.conmonPath, argv, dir, { attachPipe: attach });
  let session: AttachSession | undefined;
  let keepDir = false;
  try {
    conmon.signalStart();
    if (attach) {
      const ready = await conmon.nextAttach(ctx.timeoutMs);
      if (ready.data < 0) throw startError(ready.message ?? `exec attach failed (${ready.data})`);
      const streams = { ...opts.streams, stdin: opts.stdin ? opts.streams?.stdin : undefined };
      session = await attachSocket(join(dir, 'attach'), streams);
      conmon.signalStart();
    }
    const started = await conmon.nextSync(ctx.timeoutMs, 'the exec PID');
    if (started.data < 0) throw startError(started.message ?? `exec failed (${started.data})`);
    if (!attach) return { detached: true, sessionId, pid: started.data };

    // The client's detach keys end the session, not the process: it runs on as a detached
    // exec would, its exit recorded in the session's exit dir (which therefore stays).
    const detachedBy = session!.done.then((end) => (end === 'detached' ? ('detached' as const) : new Promise<never>(() => undefined)));
    const exited = await Promise.race([conmon.nextSync(NO_TIMEOUT, 'the exec exit code'), detachedBy]);
    if (exited === 'detached') {
      keepDir = true;
      return { detached: true, sessionId, pid: started.data };
    }
    if (exited.data < 0) throw new EngineError('Internal', `exec ${sessionId}: ${exited.message ?? `status ${exited.data}`}`);
    // conmon closes the socket right after the process ends; wait briefly for the tail of output.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([session!.done, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    return { detached: false, sessionId, pid: started.data, exitCode: exited.data };
  } finally {
    session?.close();
    conmon.release();
    if (attach && !keepDir) await rm(dir, { recursive: true, force: true });
  }
}
