/**
 * The reader of our stdout or stderr went away (`skiff images | head -1`). docker and podman
 * die of SIGPIPE then; Node ignores SIGPIPE and reports EPIPE as an 'error' event, which
 * unhandled is a stack trace. Here the verb is stopped at its next write instead (so its
 * cleanups still run: a mounted rootfs, a lease) and skiff ends quietly with the status a
 * shell shows for SIGPIPE.
 */
export const SIGPIPE_STATUS = 128 + 13;

let broken = false;

export function pipeBroken(): boolean {
  return broken;
}

/** What a write throws once the pipe is broken: the verb unwinds, main reports nothing. */
export class BrokenPipeError extends Error {
  readonly code = 'EPIPE';
  constructor() {
    super('write EPIPE');
    this.name = 'BrokenPipeError';
  }
}

export function watchBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && !(broken && e.code === 'ERR_STREAM_DESTROYED')) throw e;
      broken = true;
      // main may have returned already: its status must not read as success.
      process.exitCode = SIGPIPE_STATUS;
    });
  }
}

/** stdout for the verbs' output: throws once the reader is gone. */
export function writeOut(s: string): void {
  if (broken) throw new BrokenPipeError();
  process.stdout.write(s);
}
