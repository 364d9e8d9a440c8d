/**
 * The raw streams of attach, exec start and logs: Docker's stdcopy framing, and taking over a
 * connection for a bidirectional stream.
 *
 * With `Upgrade: tcp` (the docker CLI, docker-py) the reply is a bare `101 UPGRADED` written on
 * the socket, then raw bytes both ways; the client half-closes when its stdin ends. Without it
 * (dockerode, testcontainers) the reply is `200` with the raw-stream content type and the
 * stream is the body, ended by closing; there is no stdin then.
 */
import type { IncomingMessage } from 'node:http';
import { Writable, type Duplex, type Readable } from 'node:stream';
import { invalidArgument } from '../core/errdefs.js';
import { MAX_JSON_BODY, type Call } from './call.js';

const RAW_STREAM = 'application/vnd.docker.raw-stream';

/** One stdcopy frame: stream byte (1 stdout, 2 stderr, 3 system error), three zeros, big-endian length. */
export function frame(stream: 1 | 2 | 3, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

/**
 * The JSON body of an upgraded request: Node hands over the socket without reading it, so the
 * body is the first Content-Length bytes of `head` and what follows; the rest is stdin, put
 * back on the socket.
 */
export async function readHijackedJson<T>(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<T | undefined> {
  const len = Number(req.headers['content-length'] ?? 0);
  if (!Number.isFinite(len) || len < 0 || len > MAX_JSON_BODY) throw invalidArgument('bad Content-Length');
  let buf = head;
  while (buf.length < len) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      const onData = (d: Buffer) => (cleanup(), socket.pause(), resolve(d));
      const onEnd = () => (cleanup(), resolve(null));
      const cleanup = () => {
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onEnd);
      };
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('close', onEnd);
      socket.resume();
    });
    if (!chunk) break;
    buf = Buffer.concat([buf, chunk]);
  }
  const body = buf.subarray(0, len);
  const rest = buf.subarray(len);
  if (rest.length) socket.unshift(rest);
  const text = body.toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw invalidArgument(`invalid JSON body: ${(e as Error).message}`);
  }
}

export interface RawStream {
  stdout: Writable;
  stderr: Writable;
  /** The client's stdin (upgraded connections only). */
  stdin?: Readable;
  /** Settles when the client has gone (the connection closed). */
  gone: Promise<void>;
  /** Writes a stdcopy system-error frame (or plain text for a tty stream). */
  error(message: string): void;
  /**
   * Sends the status line (101 or 200) and any output held until then. Separate from opening,
   * so that a handler can register with the engine first: a client may send `start` the
   * moment it has the status line.
   */
  begin(): void;
  /** Ends our side (sending the status line first if need be): FIN on an upgraded connection, the end of the body otherwise. */
  end(): void;
}

function sink(write: (chunk: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      write(chunk);
      cb();
    },
  });
}

/**
 * The raw stream of `c`: 101 on an upgraded connection, else 200, once `begin` is called.
 * Non-tty output is framed (stdout 1, stderr 2), tty output goes as it is.
 */
export function openRawStream(c: Call, opts: { tty: boolean }): RawStream {
  let out: (b: Buffer) => void;
  let end: () => void;
  let gone: Promise<void>;
  let stdin: Readable | undefined;
  let start: () => void;
  if (c.hijack) {
    const socket = c.hijack.socket;
    start = () => socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${RAW_STREAM}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    out = (b) => {
      if (!socket.writableEnded && !socket.destroyed) socket.write(b);
    };
    end = () => {
      if (!socket.writableEnded && !socket.destroyed) socket.end();
    };
    gone = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    stdin = socket as unknown as Readable;
  } else {
    const res = c.res!;
    start = () => {
      res.writeHead(200, { 'Content-Type': RAW_STREAM });
      res.flushHeaders();
    };
    out = (b) => {
      if (!res.writableEnded && !res.destroyed) res.write(b);
    };
    end = () => {
      if (!res.writableEnded) res.end();
    };
    gone = new Promise((resolve) => res.once('close', () => resolve()));
    // The body of the request (if any) was read by the handler; nothing more comes.
    stdin = undefined;
  }
  // Output waits for the status line; `begin` sends it (and what came before).
  let held: Buffer[] | undefined = [];
  const send = out;
  out = (b) => (held ? held.push(b) : send(b));
  const begin = () => {
    if (!held) return;
    start();
    const early = held;
    held = undefined;
    for (const b of early) send(b);
  };
  const framed = (n: 1 | 2) => (opts.tty ? (b: Buffer) => out(b) : (b: Buffer) => out(frame(n, b)));
  return {
    stdout: sink(framed(1)),
    stderr: sink(framed(2)),
    ...(stdin ? { stdin } : {}),
    gone,
    error: (message) => out(opts.tty ? Buffer.from(message + '\r\n') : frame(3, Buffer.from(message + '\n'))),
    begin,
    end: () => (begin(), end()),
  };
}

/** An empty readable for attaches without stdin: the client's half-close is read and dropped. */
export function drain(stream: Readable | undefined): void {
  stream?.on('data', () => undefined);
  stream?.on('error', () => undefined);
  stream?.resume();
}
