/**
 * A client of conmon's attach socket (`<bundle>/attach`, or `<exec dir>/attach`).
 *
 * Framing (conmon 2.1 ctr_stdio.c / conn_sock.c): every message from conmon is one stream byte
 * (2 stdout, 3 stderr) followed by up to 8192 bytes of output; messages to conmon are raw stdin
 * bytes, at most 32768 per message (conmon truncates the rest). Half-closing our side makes
 * conmon close the container's stdin (unless --leave-stdin-open); conmon closes the socket
 * when the process exits. Nothing is replayed: earlier output is in the log.
 */
import type { Readable } from 'node:stream';
import { DetachKeyMatcher, DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../core/oci-runtime/detach-keys.js';
import type { AttachEnd, AttachSession, AttachStreams } from '../../core/oci-runtime/runtime.js';
import { EngineError } from '../../core/errdefs.js';
import { SeqpacketSocket } from '../../sys/linux/unix-seqpacket.js';

const STDOUT = 2;
const STDERR = 3;
const MAX_STDIN_MESSAGE = 32768;

/** Starts the next attach's reader thread ahead of time (see SeqpacketSocket.warmUp). */
export function warmUpAttach(): void {
  void SeqpacketSocket.warmUp().catch(() => undefined);
}

export async function attachSocket(socketPath: string, streams: AttachStreams): Promise<AttachSession> {
  const keys = parseDetachKeys(streams.detachKeys ?? DEFAULT_DETACH_KEYS);
  let sock: SeqpacketSocket;
  try {
    sock = await SeqpacketSocket.connect(socketPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // No socket, or nobody listening: conmon has gone, so the container is not running.
    if (code === 'ENOENT' || code === 'ECONNREFUSED') {
      throw new EngineError('FailedPrecondition', `cannot attach: the container is not running (${code})`, { cause: e });
    }
    throw e;
  }

  let finish!: (end: AttachEnd) => void;
  let ended = false;
  const onAbort = () => finish('closed');
  const done = new Promise<AttachEnd>((resolve) => {
    finish = (end) => {
      if (ended) return;
      ended = true;
      stopStdin();
      streams.signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      void sock.closed().then(() => resolve(end));
    };
  });

  sock.on('message', (m) => {
    const out = m[0] === STDOUT ? streams.stdout : m[0] === STDERR ? streams.stderr : undefined;
    if (out && m.length > 1) out.write(m.subarray(1));
  });
  sock.on('end', () => finish('exited'));
  // A reset from conmon is its way of going away too.
  sock.on('error', () => finish('exited'));

  let stopStdin = () => undefined as void;
  const stdin: Readable | undefined = streams.stdin;
  if (stdin) {
    const matcher = new DetachKeyMatcher(keys);
    let writes = Promise.resolve();
    const send = (chunk: Buffer) => {
      for (let off = 0; off < chunk.length; off += MAX_STDIN_MESSAGE) {
        const part = chunk.subarray(off, off + MAX_STDIN_MESSAGE);
        writes = writes.then(() => sock.write(part)).catch(() => undefined);
      }
    };
    const onData = (d: Buffer | string) => {
      const { forward, detach } = matcher.feed(typeof d === 'string' ? Buffer.from(d) : d);
      if (forward.length) send(forward);
      if (detach) void writes.then(() => finish('detached'));
    };
    const onEnd = () => void writes.then(() => sock.end());
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    // A listener alone does not restart a stream paused on purpose (the API pauses a hijacked
    // socket after reading the request body from it): what the client typed first would wait forever.
    stdin.resume();
    stopStdin = () => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
    };
  }

  if (streams.signal?.aborted) onAbort();
  else streams.signal?.addEventListener('abort', onAbort, { once: true });
  return { done, close: () => finish('closed') };
}
