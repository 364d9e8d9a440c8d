/**
 * sd_notify(3) over AF_UNIX SOCK_DGRAM, which Node's `dgram` cannot speak (UDP only): the
 * datagram to the socket systemd names in NOTIFY_SOCKET (a path, or `@name` in the abstract
 * namespace). A receiving end is here too, for whoever relays or tests the messages.
 */
import type koffiModule from 'koffi';
import { koffi } from './koffi-lazy.js';
import { errnoError } from './syscalls.js';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const MSG_NOSIGNAL = 0x4000;
const EAGAIN = 11;
const SUN_PATH_MAX = 108;

interface Libc {
  socket: (domain: number, type: number, protocol: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  sendto: (fd: number, buf: Buffer, len: number, flags: number, addr: Buffer, alen: number) => number | bigint;
  recv: (fd: number, buf: Buffer, len: number, flags: number) => number | bigint;
  close: (fd: number) => number;
}

let libc: Libc | undefined;
let k: typeof koffiModule | undefined;

function lib(): Libc {
  if (libc) return libc;
  k = koffi();
  const l = k.load('libc.so.6');
  libc = {
    socket: l.func('int socket(int domain, int type, int protocol)'),
    bind: l.func('int bind(int fd, const void *addr, uint32_t len)'),
    sendto: l.func('long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t alen)'),
    recv: l.func('long recv(int fd, void *buf, size_t len, int flags)'),
    close: l.func('int close(int fd)'),
  };
  return libc;
}

/** `@name` is Linux's abstract namespace: a leading NUL and no terminator. */
function sockaddrUn(path: string): Buffer {
  const abstract = path.startsWith('@');
  const p = Buffer.from(abstract ? `\0${path.slice(1)}` : path);
  if (p.length >= SUN_PATH_MAX) throw errnoError(36 /* ENAMETOOLONG */, 'sockaddr_un', path);
  const addr = Buffer.alloc(2 + p.length + (abstract ? 0 : 1));
  addr.writeUInt16LE(AF_UNIX, 0);
  p.copy(addr, 2);
  return addr;
}

/** Sends one notification (`READY=1`, `MAINPID=N\nREADY=1`, …) to `socketPath`. */
export function sdNotify(socketPath: string, message: string): void {
  const l = lib();
  const fd = l.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw errnoError(k!.errno(), 'socket', socketPath);
  try {
    const addr = sockaddrUn(socketPath);
    const buf = Buffer.from(message);
    if (Number(l.sendto(fd, buf, buf.length, MSG_NOSIGNAL, addr, addr.length)) < 0) throw errnoError(k!.errno(), 'sendto', socketPath);
  } finally {
    l.close(fd);
  }
}

/** A bound datagram socket whose queued messages are read without blocking. */
export class NotifyReceiver {
  private fd: number;

  constructor(readonly path: string) {
    const l = lib();
    this.fd = l.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (this.fd < 0) throw errnoError(k!.errno(), 'socket', path);
    const addr = sockaddrUn(path);
    if (l.bind(this.fd, addr, addr.length) < 0) {
      const errno = k!.errno();
      l.close(this.fd);
      throw errnoError(errno, 'bind', path);
    }
  }

  /** Every message waiting now, oldest first. */
  drain(): string[] {
    const out: string[] = [];
    const buf = Buffer.alloc(4096);
    for (;;) {
      const n = Number(lib().recv(this.fd, buf, buf.length, 0));
      if (n < 0) {
        const errno = k!.errno();
        if (errno === EAGAIN) return out;
        throw errnoError(errno, 'recv', this.path);
      }
      out.push(buf.subarray(0, n).toString('utf8'));
    }
  }

  close(): void {
    if (this.fd >= 0) lib().close(this.fd);
    this.fd = -1;
  }
}
