/**
 * Linux syscalls Node has no binding for, called through libc with koffi. libc is loaded on
 * first use so that CLI commands which never mount pay nothing at start-up. Failures throw
 * Node-style errors (`code` = 'ENOENT' …, `errno`, `syscall`, `path`) like node:fs does.
 */
import { koffi as lazyKoffi } from './koffi-lazy.js';
import { getSystemErrorMap } from 'node:util';

export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_SYNCHRONOUS = 0x10;
export const MS_REMOUNT = 0x20;
export const MS_MANDLOCK = 0x40;
export const MS_DIRSYNC = 0x80;
export const MS_NOSYMFOLLOW = 0x100;
export const MS_NOATIME = 0x400;
export const MS_NODIRATIME = 0x800;
export const MS_BIND = 0x1000;
export const MS_MOVE = 0x2000;
export const MS_REC = 0x4000;
export const MS_SILENT = 0x8000;
export const MS_UNBINDABLE = 1 << 17;
export const MS_PRIVATE = 1 << 18;
export const MS_SLAVE = 1 << 19;
export const MS_SHARED = 1 << 20;
export const MS_RELATIME = 1 << 21;
export const MS_STRICTATIME = 1 << 24;

export const MNT_FORCE = 1;
export const MNT_DETACH = 2;
export const MNT_EXPIRE = 4;
export const UMOUNT_NOFOLLOW = 8;

export const XATTR_CREATE = 1;
export const XATTR_REPLACE = 2;

// The new mount API (Linux 5.2+); overlay's `lowerdir+` (6.8+) lifts the one-page limit on
// mount options that long layer chains hit.
export const FSOPEN_CLOEXEC = 1;
export const FSMOUNT_CLOEXEC = 1;
export const FSCONFIG_SET_FLAG = 0;
export const FSCONFIG_SET_STRING = 1;
export const FSCONFIG_CMD_CREATE = 6;
export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_NOSUID = 0x2;
export const MOUNT_ATTR_NODEV = 0x4;
export const MOUNT_ATTR_NOEXEC = 0x8;
export const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
const AT_FDCWD = -100;

// Numbers of syscalls added after 4.20 are the same on every architecture.
const SYS_MOVE_MOUNT = 429;
const SYS_FSOPEN = 430;
const SYS_FSCONFIG = 431;
const SYS_FSMOUNT = 432;
const SYS_OPENAT2 = 437;

// open(2) flags Node's fs.constants lacks (O_PATH), and openat2's resolve flags (Linux 5.6+).
export const O_PATH = 0o10000000;
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;
const EAGAIN = 11;

export interface SyscallError extends Error {
  errno: number;
  code: string;
  syscall: string;
  path?: string;
}

interface Libc {
  mount: (src: string | null, target: string, fstype: string | null, flags: number, data: string | null) => number;
  umount2: (target: string, flags: number) => number;
  mknod: (path: string, mode: number, dev: bigint) => number;
  lsetxattr: (path: string, name: string, value: Buffer, size: number, flags: number) => number;
  lgetxattr: (path: string, name: string, value: Buffer | null, size: number) => number;
  llistxattr: (path: string, list: Buffer | null, size: number) => number;
  syscall: (nr: number, ...args: unknown[]) => number | bigint;
  close: (fd: number) => number;
  read: (fd: number, buf: Buffer, size: number) => number;
  unshare: (flags: number) => number;
  setns: (fd: number, nstype: number) => number;
  socket: (domain: number, type: number, protocol: number) => number;
  ioctl: (fd: number, request: number, arg: Buffer) => number;
}

let libc: Libc | null = null;

function lib(): Libc {
  if (libc) return libc;
  const l = lazyKoffi().load('libc.so.6');
  libc = {
    mount: l.func('int mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data)'),
    umount2: l.func('int umount2(const char *target, int flags)'),
    mknod: l.func('int mknod(const char *path, uint32_t mode, uint64_t dev)'),
    lsetxattr: l.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)'),
    lgetxattr: l.func('long lgetxattr(const char *path, const char *name, void *value, size_t size)'),
    llistxattr: l.func('long llistxattr(const char *path, void *list, size_t size)'),
    syscall: l.func('long syscall(long nr, ...)'),
    close: l.func('int close(int fd)'),
    read: l.func('long read(int fd, void *buf, size_t count)'),
    unshare: l.func('int unshare(int flags)'),
    setns: l.func('int setns(int fd, int nstype)'),
    socket: l.func('int socket(int domain, int type, int protocol)'),
    ioctl: l.func('int ioctl(int fd, unsigned long request, void *arg)'),
  };
  return libc;
}

export function errnoError(errno: number, syscall: string, path?: string, detail?: string): SyscallError {
  const [code, text] = getSystemErrorMap().get(-errno) ?? [`E${errno}`, `errno ${errno}`];
  const where = path === undefined ? '' : ` '${path}'`;
  const err = new Error(`${code}: ${text}, ${syscall}${where}${detail ? `: ${detail}` : ''}`) as SyscallError;
  err.errno = errno;
  err.code = code;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  return err;
}

function check(rc: number | bigint, syscall: string, path?: string): number {
  const n = Number(rc);
  if (n < 0) throw errnoError(lazyKoffi().errno(), syscall, path);
  return n;
}

export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
  check(lib().mount(source, target, fstype, flags, data), 'mount', target);
}

export function umount2(target: string, flags = 0): void {
  check(lib().umount2(target, flags), 'umount2', target);
}

/** glibc's makedev: the 64-bit dev_t encoding of (major, minor). */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

/** `mode` carries the file type (S_IFCHR, S_IFBLK, S_IFIFO …) and the permission bits. */
export function mknod(path: string, mode: number, dev: bigint | number = 0n): void {
  check(lib().mknod(path, mode >>> 0, BigInt(dev)), 'mknod', path);
}

export function lsetxattr(path: string, name: string, value: Buffer, flags = 0): void {
  check(lib().lsetxattr(path, name, value, value.length, flags), 'lsetxattr', path);
}

/** The attribute's value, or undefined when the file has no such attribute (ENODATA). */
export function lgetxattr(path: string, name: string): Buffer | undefined {
  const l = lib();
  for (;;) {
    const size = Number(l.lgetxattr(path, name, null, 0));
    if (size < 0) {
      if (lazyKoffi().errno() === ENODATA) return undefined;
      throw errnoError(lazyKoffi().errno(), 'lgetxattr', path);
    }
    const buf = Buffer.alloc(size);
    const got = Number(l.lgetxattr(path, name, buf, size));
    if (got >= 0) return buf.subarray(0, got);
    // The value grew between the two calls: ask again.
    if (lazyKoffi().errno() !== ERANGE) throw errnoError(lazyKoffi().errno(), 'lgetxattr', path);
  }
}

export function llistxattr(path: string): string[] {
  const l = lib();
  for (;;) {
    const size = check(l.llistxattr(path, null, 0), 'llistxattr', path);
    if (size === 0) return [];
    const buf = Buffer.alloc(size);
    const got = Number(l.llistxattr(path, buf, size));
    if (got >= 0) return buf.toString('utf8', 0, got).split('\0').filter((n) => n !== '');
    if (lazyKoffi().errno() !== ERANGE) throw errnoError(lazyKoffi().errno(), 'llistxattr', path);
  }
}

const ENODATA = 61;
const ERANGE = 34;

export function fsopen(fsname: string, flags = FSOPEN_CLOEXEC): number {
  return check(lib().syscall(SYS_FSOPEN, 'const char *', fsname, 'unsigned int', flags), 'fsopen', fsname);
}

/** Sets a string (`value` given) or flag (`value` null) parameter on an fsopen() context. */
export function fsconfig(fd: number, key: string, value: string | null): void {
  const cmd = value === null ? FSCONFIG_SET_FLAG : FSCONFIG_SET_STRING;
  const rc = lib().syscall(SYS_FSCONFIG, 'int', fd, 'unsigned int', cmd, 'const char *', key, 'const char *', value, 'int', 0);
  if (Number(rc) < 0) throw errnoError(lazyKoffi().errno(), 'fsconfig', value ?? key, fsLog(fd));
}

export function fsconfigCreate(fd: number): void {
  const rc = lib().syscall(SYS_FSCONFIG, 'int', fd, 'unsigned int', FSCONFIG_CMD_CREATE, 'const char *', null, 'const char *', null, 'int', 0);
  if (Number(rc) < 0) throw errnoError(lazyKoffi().errno(), 'fsconfig', undefined, fsLog(fd));
}

export function fsmount(fd: number, attrs: number): number {
  return check(lib().syscall(SYS_FSMOUNT, 'int', fd, 'unsigned int', FSMOUNT_CLOEXEC, 'unsigned int', attrs), 'fsmount');
}

/** Attaches a detached mount (from fsmount) at `target`. */
export function moveMount(mountFd: number, target: string): void {
  const rc = lib().syscall(
    SYS_MOVE_MOUNT,
    'int', mountFd, 'const char *', '', 'int', AT_FDCWD, 'const char *', target, 'unsigned int', MOVE_MOUNT_F_EMPTY_PATH,
  );
  check(rc, 'move_mount', target);
}

/**
 * openat2(2): `path` resolved against `dirfd` under the `resolve` rules. The kernel answers
 * EAGAIN when a rename or mount raced the lookup; it is asked again a few times.
 */
export function openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
  const how = Buffer.alloc(24);
  how.writeBigUInt64LE(BigInt(flags >>> 0), 0);
  how.writeBigUInt64LE(BigInt(mode >>> 0), 8);
  how.writeBigUInt64LE(BigInt(resolve >>> 0), 16);
  for (let tries = 0; ; tries++) {
    const rc = Number(lib().syscall(SYS_OPENAT2, 'int', dirfd, 'const char *', path, 'void *', how, 'size_t', how.length));
    if (rc >= 0) return rc;
    const errno = lazyKoffi().errno();
    if (errno !== EAGAIN || tries >= 16) throw errnoError(errno, 'openat2', path);
  }
}

export const CLONE_NEWNET = 0x40000000;

/** unshare(2): namespaces such as the network one are the calling thread's, not the process's. */
export function unshare(flags: number): void {
  check(lib().unshare(flags), 'unshare');
}

export function setns(fd: number, nstype: number): void {
  check(lib().setns(fd, nstype), 'setns');
}

const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SIOCGIFFLAGS = 0x8913;
const SIOCSIFFLAGS = 0x8914;
const IFF_UP = 0x1;

/** Sets interface `name` up in the calling thread's network namespace (struct ifreq: name[16], flags). */
export function interfaceUp(name: string): void {
  const fd = check(lib().socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), 'socket');
  try {
    const ifr = Buffer.alloc(40);
    ifr.write(name, 0, 15, 'latin1');
    check(lib().ioctl(fd, SIOCGIFFLAGS, ifr), 'ioctl SIOCGIFFLAGS', name);
    ifr.writeUInt16LE(ifr.readUInt16LE(16) | IFF_UP, 16);
    check(lib().ioctl(fd, SIOCSIFFLAGS, ifr), 'ioctl SIOCSIFFLAGS', name);
  } finally {
    lib().close(fd);
  }
}

export function closeFd(fd: number): void {
  lib().close(fd);
}

// The kernel explains fsconfig failures in a message log read from the context fd.
function fsLog(fd: number): string {
  const l = lib();
  const buf = Buffer.alloc(1024);
  const lines: string[] = [];
  for (let i = 0; i < 16; i++) {
    const n = Number(l.read(fd, buf, buf.length));
    if (n <= 0) break;
    lines.push(buf.toString('utf8', 0, n));
  }
  return lines.join('; ');
}
