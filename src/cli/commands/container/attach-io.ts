import { ExitCodeError } from '../../../core/errdefs.js';
import type { Engine } from '../../../engine/index.js';
import type { AttachSession, AttachStreams } from '../../../engine/containers/index.js';

/** The terminal side of an attached session: raw mode and window size for `-t`, restored after. */
export class TerminalIo {
  private restoreRaw = false;
  private onResize?: () => void;

  constructor(private readonly tty: boolean, private readonly stdin: boolean) {}

  streams(detachKeys?: string): AttachStreams {
    return {
      ...(this.stdin ? { stdin: process.stdin } : {}),
      stdout: process.stdout,
      ...(this.tty ? {} : { stderr: process.stderr }),
      ...(detachKeys !== undefined ? { detachKeys } : {}),
    };
  }

  /** Puts the terminal in raw mode (keys go to the container) and follows its size. */
  begin(engine: Engine, id: string): void {
    if (this.tty && this.stdin && process.stdin.isTTY) {
      process.stdin.setRawMode(true);
      this.restoreRaw = true;
    }
    if (this.tty && process.stdout.isTTY) {
      const resize = () => {
        const { rows, columns } = process.stdout;
        if (rows && columns) void engine.containers.resize(id, { rows, cols: columns }).catch(() => undefined);
      };
      this.onResize = resize;
      process.stdout.on('resize', resize);
      resize();
    }
  }

  end(): void {
    if (this.restoreRaw) process.stdin.setRawMode(false);
    if (this.onResize) process.stdout.off('resize', this.onResize);
    process.stdin.pause();
  }
}

/** Forwards SIGINT/SIGTERM/... to the container while attached without a tty (docker's --sig-proxy). */
export function proxySignals(engine: Engine, id: string): () => void {
  const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
  const handlers = sigs.map((s) => {
    const h = () => void engine.containers.kill(id, s).catch(() => undefined);
    process.on(s, h);
    return [s, h] as const;
  });
  return () => {
    for (const [s, h] of handlers) process.off(s, h);
  };
}

/**
 * Starts waiting for the exit status while the container still exists: with --rm, conmon's
 * exit command may remove the container the moment it exits, before the attach session has
 * even reported the end, and a `wait` begun after that finds nothing.
 */
export function watchExit(engine: Engine, id: string): { code: Promise<number>; cancel(): void } {
  const ac = new AbortController();
  const code = engine.containers.wait(id, { signal: ac.signal });
  // Cancelled on detach: nobody awaits it then.
  code.catch(() => undefined);
  return { code, cancel: () => ac.abort() };
}

/**
 * The attached part of run, start -a and attach: terminal set-up, signal proxying, then the
 * container's exit status as the CLI's own (ExitCodeError), or nothing when the user detached.
 */
export async function followAttached(
  engine: Engine,
  id: string,
  session: AttachSession | undefined,
  io: TerminalIo,
  opts: { proxySignals: boolean },
): Promise<void> {
  const exit = watchExit(engine, id);
  io.begin(engine, id);
  const unproxy = opts.proxySignals ? proxySignals(engine, id) : () => undefined;
  try {
    if ((session ? await session.done : 'exited') === 'detached') {
      exit.cancel();
      return;
    }
  } finally {
    unproxy();
    io.end();
  }
  const code = await exit.code;
  if (code !== 0) throw new ExitCodeError(code);
}
