/**
 * A client for AF_UNIX SOCK_SEQPACKET sockets (conmon's attach socket), which Node's `net`
 * cannot open: libuv only wraps stream unix sockets. Every read keeps its message boundary.
 *
 * Reading: Node cannot poll an arbitrary fd, and a blocking recv() in the libuv thread pool
 * (koffi's `.async`) would hold one of its four threads for the whole session and starve fs
 * calls. So each open socket has a worker thread of its own that blocks in recv() and posts each
 * message back. shutdown(SHUT_RDWR) from this thread wakes it; the fd is closed only after the
 * worker has said it is done with it, so the number cannot be reused under it. A thread that is
 * done waits for the next socket: booting one costs tens of milliseconds of CPU, which every
 * `docker run` through the API service paid (its attach is one of these sockets).
 * Writing: send() with MSG_DONTWAIT from this thread, retried on EAGAIN after a short wait.
 */
import type koffiModule from 'koffi';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { errnoError } from './syscalls.js';

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;
const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const SHUT_WR = 1;
const SHUT_RDWR = 2;
const EAGAIN = 11;
const EINTR = 4;
const SUN_PATH_MAX = 108;
/** Larger than any message conmon sends (1 prefix byte + 8192). */
const RECV_BUFFER = 65536;

interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  connect: (fd: number, addr: Buffer, len: number) => number;
  open: (path: string, flags: number) => number;
  close: (fd: number) => number;
  send: (fd: number, buf: Buffer, len: number, flags: number) => number | bigint;
  shutdown: (fd: number, how: number) => number;
}

type Koffi = typeof koffiModule;
let koffi: Koffi | null = null;
let libc: Libc | null = null;

/** koffi and libc, loaded on the first connect: CLI verbs that never attach pay nothing. */
async function load(): Promise<Libc> {
  if (libc) return libc;
  koffi = (await import('koffi')).default;
  const l = koffi.load('libc.so.6');
  libc = {
    socket: l.func('int socket(int domain, int type, int protocol)'),
    connect: l.func('int connect(int fd, const void *addr, uint32_t len)'),
    open: l.func('int open(const char *path, int flags)'),
    close: l.func('int close(int fd)'),
    send: l.func('long send(int fd, const void *buf, size_t len, int flags)'),
    shutdown: l.func('int shutdown(int fd, int how)'),
  };
  return libc;
}

/** Only called once a socket exists, i.e. after load(). */
function lib(): Libc {
  if (!libc) throw new Error('unix-seqpacket: libc not loaded');
  return libc;
}

function lastErrno(): number {
  return koffi?.errno() ?? 0;
}

// Runs in the reader thread: a plain CommonJS script, so it works the same under tsx and in
// the esbuild bundle. It loads its own copy of koffi (the path comes from the main thread),
// then serves one socket at a time: a thread can be started before the socket exists (warmUp)
// and serves the next one once this one is done.
const READER = `
const { parentPort, workerData } = require('node:worker_threads');
const koffi = require(workerData.koffi);
const recv = koffi.load('libc.so.6').func('long recv(int fd, void *buf, size_t len, int flags)');
const buf = Buffer.alloc(workerData.size);
parentPort.on('message', ({ fd }) => {
  for (;;) {
    const n = Number(recv(fd, buf, buf.length, 0));
    if (n < 0) {
      const errno = koffi.errno();
      if (errno === ${EINTR}) continue;
      parentPort.postMessage({ type: 'error', errno });
      break;
    }
    if (n === 0) { parentPort.postMessage({ type: 'end' }); break; }
    const data = new Uint8Array(n);
    data.set(buf.subarray(0, n));
    parentPort.postMessage({ type: 'data', data }, [data.buffer]);
  }
  parentPort.postMessage({ type: 'done' });
});
`;

type ReaderMessage = { type: 'data'; data: Uint8Array } | { type: 'end' } | { type: 'error'; errno: number } | { type: 'done' };

function sockaddrUn(path: string): Buffer {
  const p = Buffer.from(path);
  if (p.length >= SUN_PATH_MAX) throw errnoError(36 /* ENAMETOOLONG */, 'connect', path);
  const addr = Buffer.alloc(2 + p.length + 1);
  addr.writeUInt16LE(AF_UNIX, 0);
  p.copy(addr, 2);
  return addr;
}

/**
 * Where the worker can require koffi from. Not `import.meta.url`: the CLI is bundled as
 * CommonJS, where it is empty. koffi is already loaded (this module imports it), so its files
 * are in Node's require cache, which ESM and CJS share: resolve from that node_modules dir.
 */
function koffiEntry(): string {
  const cached = Object.keys(createRequire(`${process.cwd()}/`).cache);
  const hit = cached.find((p) => /\/node_modules\/(koffi|@koromix\/koffi-[^/]+)\//.test(p));
  const base = hit ? hit.slice(0, hit.lastIndexOf('/node_modules/') + '/node_modules/'.length) : `${process.cwd()}/`;
  return createRequire(`${base}noop.js`).resolve('koffi');
}

export interface SeqpacketSocketEvents {
  message: [Buffer];
  end: [];
  error: [Error];
  close: [];
}

function startReader(): Worker {
  const w = new Worker(READER, { eval: true, workerData: { koffi: koffiEntry(), size: RECV_BUFFER } });
  // Until a socket takes it, a spare thread keeps nobody waiting and its failure is nobody's.
  w.unref();
  w.on('error', () => undefined);
  return w;
}

/** A reader thread started ahead of time (warmUp); undefined once taken or if it died. */
let spare: Worker | undefined;
/** Threads whose socket is done, waiting for the next one (at most MAX_IDLE are kept). */
const idle: Worker[] = [];
const MAX_IDLE = 8;

function park(w: Worker): void {
  w.removeAllListeners();
  if (idle.length >= MAX_IDLE) {
    void w.terminate();
    return;
  }
  w.unref();
  w.on('error', () => undefined);
  w.once('exit', () => {
    const i = idle.indexOf(w);
    if (i >= 0) idle.splice(i, 1);
  });
  idle.push(w);
}

function takeReader(): Worker {
  const w = idle.pop() ?? spare ?? startReader();
  if (w === spare) spare = undefined;
  w.removeAllListeners();
  w.ref();
  return w;
}

export class SeqpacketSocket extends EventEmitter<SeqpacketSocketEvents> {
  private fd: number;
  private readonly worker: Worker;
  private closing = false;
  private writeShut = false;

  /**
   * Starts the next socket's reader thread now. A thread takes tens of milliseconds of CPU to
   * boot; started while the caller waits for something else (conmon and the runtime creating
   * the container), it is ready by the time the socket exists.
   */
  static async warmUp(): Promise<void> {
    await load();
    if (spare || idle.length) return;
    const w = startReader();
    w.once('exit', () => {
      if (spare === w) spare = undefined;
    });
    spare = w;
  }

  private constructor(fd: number, path: string) {
    super();
    this.fd = fd;
    this.worker = takeReader();
    this.worker.postMessage({ fd });
    const finish = () => {
      lib().close(this.fd);
      this.fd = -1;
      this.emit('close');
    };
    this.worker.on('message', (m: ReaderMessage) => {
      if (m.type === 'data') this.emit('message', Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
      else if (m.type === 'end') this.emit('end');
      else if (m.type === 'done') {
        // The thread no longer reads this fd: it may close, and the thread serve another.
        park(this.worker);
        finish();
      } else if (!this.closing) this.emit('error', errnoError(m.errno, 'recv', path));
    });
    this.worker.on('error', (e) => this.emit('error', e));
    this.worker.on('exit', finish);
  }

  /**
   * Connects to the socket at `path`, whatever its length: like conmon and Podman, it opens
   * the path O_PATH and connects to `/proc/self/fd/<n>`, which always fits in sun_path.
   */
  static async connect(path: string): Promise<SeqpacketSocket> {
    const l = await load();
    const pathFd = l.open(path, O_PATH | O_CLOEXEC);
    if (pathFd < 0) throw errnoError(lastErrno(), 'open', path);
    let fd = -1;
    try {
      fd = l.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
      if (fd < 0) throw errnoError(lastErrno(), 'socket', path);
      const addr = sockaddrUn(`/proc/self/fd/${pathFd}`);
      if (l.connect(fd, addr, addr.length) < 0) throw errnoError(lastErrno(), 'connect', path);
    } catch (e) {
      if (fd >= 0) l.close(fd);
      throw e;
    } finally {
      l.close(pathFd);
    }
    return new SeqpacketSocket(fd, path);
  }

  /** Sends one message (one read on the other side). */
  async write(data: Buffer): Promise<void> {
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      if (this.fd < 0 || this.writeShut) throw errnoError(32 /* EPIPE */, 'send');
      const n = Number(lib().send(this.fd, data, data.length, MSG_DONTWAIT | MSG_NOSIGNAL));
      if (n >= 0) return;
      const errno = lastErrno();
      if (errno !== EAGAIN && errno !== EINTR) throw errnoError(errno, 'send');
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Half-close: the peer reads EOF; messages still arrive until it closes. */
  end(): void {
    if (this.fd < 0 || this.writeShut) return;
    this.writeShut = true;
    lib().shutdown(this.fd, SHUT_WR);
  }

  /** Stops reading and closes; 'close' follows once the reader thread is gone. */
  destroy(): void {
    if (this.fd < 0 || this.closing) return;
    this.closing = true;
    this.writeShut = true;
    lib().shutdown(this.fd, SHUT_RDWR);
  }

  /** Resolves after 'close'. */
  closed(): Promise<void> {
    if (this.fd < 0) return Promise.resolve();
    return new Promise((r) => this.once('close', () => r()));
  }
}
