/**
 * Performs the mounts that storage drivers describe as data (core/layers/driver.ts `Mount`).
 * Option words that are mount flags (ro, nosuid, rbind …) become MS_* flags; the rest are
 * passed to the filesystem as its data string, as mount(8) does.
 */
import type { Mount } from '../core/layers/driver.js';
import { dirname, relative } from 'node:path';
import { execFile } from 'node:child_process';
import {
  MNT_DETACH, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC, MOUNT_ATTR_NOSUID, MOUNT_ATTR_RDONLY, MS_BIND, MS_DIRSYNC,
  MS_MANDLOCK, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_NOSYMFOLLOW, MS_PRIVATE, MS_RDONLY,
  MS_REC, MS_RELATIME, MS_REMOUNT, MS_SHARED, MS_SLAVE, MS_STRICTATIME, MS_SYNCHRONOUS, MS_UNBINDABLE,
  closeFd, fsconfig, fsconfigCreate, fsmount, fsopen, mount, moveMount, umount2,
} from './linux/syscalls.js';
import type { SyscallError } from './linux/syscalls.js';

/** [flag, clears] for each option word mount(8) treats as a flag. */
const FLAGS: Record<string, [number, boolean]> = {
  ro: [MS_RDONLY, false], rw: [MS_RDONLY, true],
  nosuid: [MS_NOSUID, false], suid: [MS_NOSUID, true],
  nodev: [MS_NODEV, false], dev: [MS_NODEV, true],
  noexec: [MS_NOEXEC, false], exec: [MS_NOEXEC, true],
  sync: [MS_SYNCHRONOUS, false], async: [MS_SYNCHRONOUS, true],
  dirsync: [MS_DIRSYNC, false], mand: [MS_MANDLOCK, false], nomand: [MS_MANDLOCK, true],
  noatime: [MS_NOATIME, false], atime: [MS_NOATIME, true],
  nodiratime: [MS_NODIRATIME, false], diratime: [MS_NODIRATIME, true],
  relatime: [MS_RELATIME, false], norelatime: [MS_RELATIME, true],
  strictatime: [MS_STRICTATIME, false], nostrictatime: [MS_STRICTATIME, true],
  nosymfollow: [MS_NOSYMFOLLOW, false],
  remount: [MS_REMOUNT, false],
  bind: [MS_BIND, false], rbind: [MS_BIND | MS_REC, false],
};
const PROPAGATION: Record<string, number> = {
  private: MS_PRIVATE, rprivate: MS_PRIVATE | MS_REC,
  shared: MS_SHARED, rshared: MS_SHARED | MS_REC,
  slave: MS_SLAVE, rslave: MS_SLAVE | MS_REC,
  unbindable: MS_UNBINDABLE, runbindable: MS_UNBINDABLE | MS_REC,
};

// mount(2) copies at most one page of options, NUL included.
const MAX_DATA = 4095;

interface Parsed {
  flags: number;
  propagation: number;
  data: string[];
}

function parseOptions(options: string[]): Parsed {
  let flags = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const o of options) {
    const f = FLAGS[o];
    if (f) flags = f[1] ? flags & ~f[0] : flags | f[0];
    else if (PROPAGATION[o] !== undefined) propagation |= PROPAGATION[o];
    else data.push(o);
  }
  return { flags, propagation, data };
}

/** The MS_* flags mount(2) gets for these option words (for messages that name them, as dockerd's do). */
export function mountFlags(options: string[]): number {
  return parseOptions(options).flags;
}

/**
 * Mounts each of `mounts` on `target` in order; on failure undoes the ones already made. Kernel
 * mounts only: a FUSE program's mount is a child process to wait for, which `mountStack` awaits.
 */
export function mountAll(mounts: Mount[], target: string): void {
  let done = 0;
  try {
    for (const m of mounts) {
      if (m.type === 'fuse-overlayfs') throw new Error(`${m.source}: a FUSE mount needs mountStack`);
      mountOne(m, target);
      done++;
    }
  } catch (e) {
    for (; done > 0; done--) umount2(target, MNT_DETACH);
    throw e;
  }
}

/**
 * `mountAll` for a layer stack, which may be a FUSE program's (fuse-overlayfs in a user
 * namespace): that program is awaited, never waited for synchronously, so the API service's
 * event loop keeps running while it mounts.
 */
export async function mountStack(mounts: Mount[], target: string): Promise<void> {
  let done = 0;
  try {
    for (const m of mounts) {
      if (m.type === 'fuse-overlayfs') await mountFuse(m, target);
      else mountOne(m, target);
      done++;
    }
  } catch (e) {
    for (; done > 0; done--) umount2(target, MNT_DETACH);
    throw e;
  }
}

/**
 * The program (source) mounts and then serves the filesystem from its own daemon; it returns
 * once the mount is in place. Unmounting is a plain umount2 of the target.
 */
function mountFuse(m: Mount, target: string): Promise<void> {
  const p = parseOptions(m.options);
  return new Promise((resolve, reject) => {
    execFile(m.source, ['-o', p.data.join(','), target], { encoding: 'utf8', timeout: 30_000 }, (err, _out, stderr) => {
      if (!err) return resolve();
      reject(new Error(`${m.source} could not mount ${target}: ${(stderr || err.message).trim()}`));
    });
  });
}

function mountOne(m: Mount, target: string): void {
  const p = parseOptions(m.options);
  const isBind = m.type === 'bind' || (p.flags & MS_BIND) !== 0;
  if (isBind) {
    mount(m.source, target, null, MS_BIND | (p.flags & MS_REC), null);
    // MS_BIND ignores every other flag; they only take effect on a remount of the bind.
    const rest = p.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
    if (rest !== 0) {
      try {
        mount(null, target, null, MS_REMOUNT | MS_BIND | rest, null);
      } catch (e) {
        umount2(target, MNT_DETACH);
        throw e;
      }
    }
  } else if (m.type === 'overlay') {
    mountOverlay(m.source, target, p);
  } else {
    mount(m.source, target, m.type, p.flags, p.data.join(',') || null);
  }
  if (p.propagation !== 0) mount(null, target, null, p.propagation, null);
}

function mountOverlay(source: string, target: string, p: Parsed): void {
  const data = p.data.join(',');
  if (data.length <= MAX_DATA) {
    mount(source, target, 'overlay', p.flags, data);
    return;
  }
  try {
    mountOverlayNewApi(target, p);
  } catch (e) {
    // Kernels before 6.8 know no `lowerdir+`; relative paths from a shared directory are
    // the older way to fit in a page.
    const code = (e as SyscallError).code;
    if (code !== 'ENOSYS' && code !== 'EINVAL') throw e;
    mountOverlayRelative(source, target, p);
  }
}

/**
 * Mounts an overlay with its lowerdirs relative to their common parent directory (the
 * fallback for kernels without `lowerdir+`); exported so tests can take this path directly.
 */
export function mountOverlayFromCommonDir(m: Mount, target: string): void {
  mountOverlayRelative(m.source, target, parseOptions(m.options));
}

function mountOverlayNewApi(target: string, p: Parsed): void {
  const fd = fsopen('overlay');
  try {
    for (const o of p.data) {
      const eq = o.indexOf('=');
      const key = eq < 0 ? o : o.slice(0, eq);
      const value = eq < 0 ? null : o.slice(eq + 1);
      if (key === 'lowerdir' && value !== null) {
        for (const dir of value.split(':')) fsconfig(fd, 'lowerdir+', dir);
      } else {
        fsconfig(fd, key, value);
      }
    }
    if (p.flags & MS_RDONLY) fsconfig(fd, 'ro', null);
    fsconfigCreate(fd);
    let attrs = 0;
    if (p.flags & MS_RDONLY) attrs |= MOUNT_ATTR_RDONLY;
    if (p.flags & MS_NOSUID) attrs |= MOUNT_ATTR_NOSUID;
    if (p.flags & MS_NODEV) attrs |= MOUNT_ATTR_NODEV;
    if (p.flags & MS_NOEXEC) attrs |= MOUNT_ATTR_NOEXEC;
    const mfd = fsmount(fd, attrs);
    try {
      moveMount(mfd, target);
    } finally {
      closeFd(mfd);
    }
  } finally {
    closeFd(fd);
  }
}

function mountOverlayRelative(source: string, target: string, p: Parsed): void {
  const lowerOpt = p.data.find((o) => o.startsWith('lowerdir='));
  if (!lowerOpt) throw new Error(`overlay options too long (${p.data.join(',').length} bytes) and no lowerdir to shorten`);
  const lowers = lowerOpt.slice('lowerdir='.length).split(':');
  let base = dirname(lowers[0]!);
  while (!lowers.every((l) => l.startsWith(base + '/')) && base !== '/') base = dirname(base);
  const rel = lowers.map((l) => relative(base, l)).join(':');
  const data = p.data.map((o) => (o === lowerOpt ? `lowerdir=${rel}` : o)).join(',');
  if (data.length > MAX_DATA) throw new Error(`overlay options too long (${data.length} bytes) even with relative lowerdirs`);
  // The kernel resolves relative lowerdirs against the caller's cwd, which is per process.
  const cwd = process.cwd();
  process.chdir(base);
  try {
    mount(source, target, 'overlay', p.flags, data);
  } finally {
    process.chdir(cwd);
  }
}

/**
 * Unmounts everything stacked on `target`. Returns false when nothing was mounted there.
 * `detach` (MNT_DETACH) succeeds even while the mount is busy and lets it go once unused.
 */
export function unmount(target: string, opts: { detach?: boolean } = {}): boolean {
  let any = false;
  for (let i = 0; i < 64; i++) {
    try {
      umount2(target, opts.detach ? MNT_DETACH : 0);
      any = true;
    } catch (e) {
      const code = (e as SyscallError).code;
      if (code === 'EINVAL' || code === 'ENOENT') return any;
      throw e;
    }
  }
  return any;
}
