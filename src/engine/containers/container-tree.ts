/**
 * A container's files as `cp` and the archive endpoints see them, opened as a RootDir so that
 * nothing inside is ever resolved as a host path. A running container is reached through
 * /proc/PID/root: its own mount namespace, with its volumes, bind mounts and tmpfs, as Podman's
 * cp sees it by joining that namespace. A stopped one gets its root filesystem mounted with its
 * volumes and bind mounts bound in place, as Docker mounts them for a copy.
 */
import { closeSync, constants as fsc, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { MountRequest } from '../../core/runtime/create-options.js';
import { RootDir, fdPath } from '../../impl/rooted/root-dir.js';
import { MNT_DETACH, MS_BIND, MS_RDONLY, MS_REC, MS_REMOUNT, mount, umount2 } from '../../sys/linux/syscalls.js';
import type { EngineContext } from '../context.js';
import { ensureDataDir } from '../volumes/ops.js';
import { dataDir, getVolume } from '../volumes/store.js';
import { volumeFilesAt } from '../volumes/data-mount.js';
import type { ContainerContext } from './context.js';
import { withRootfs } from './rootfs-access.js';
import { isActive } from './state.js';
import { refreshContainer } from './sync.js';
import type { ContainerRecord } from './types.js';

function sourceOf(ctx: EngineContext, m: MountRequest, write: boolean): string | undefined {
  if (m.type === 'volume') {
    if (m.name === undefined) return undefined;
    // A volume made at create gets its directory at first start, or here for a copy into it.
    if (write && getVolume(ctx, m.name)) ensureDataDir(ctx, m.name);
    return getVolume(ctx, m.name) ? volumeFilesAt(ctx, m.name) : dataDir(ctx, m.name);
  }
  if (m.type === 'bind') return m.source;
  // A stopped container's tmpfs holds nothing: the directory below it is what there is.
  return undefined;
}

/**
 * Binds the container's volumes and bind mounts onto the tree at `root`, parents first. Each
 * destination is resolved inside the root and mounted on through its descriptor, so a
 * destination that is a symlink lands inside the tree. Returns the mounts made, as descriptors
 * of their roots, for `unbind`.
 */
function bindMounts(ctx: EngineContext, root: RootDir, mounts: readonly MountRequest[], write: boolean): number[] {
  const made: number[] = [];
  const ordered = [...mounts].sort((a, b) => a.destination.split('/').length - b.destination.split('/').length);
  try {
    for (const m of ordered) {
      const source = sourceOf(ctx, m, write);
      if (source === undefined || !existsSync(source)) continue;
      // A container never started may lack the mount point runc would make; a writer makes it.
      const dest = root.tryOpen(m.destination, { follow: true }) ?? (write ? makeMountPoint(root, m.destination, source) : undefined);
      if (dest === undefined) continue;
      try {
        mount(source, fdPath(dest), null, MS_BIND | MS_REC, null);
      } finally {
        closeSync(dest);
      }
      const at = root.open(m.destination, { follow: true });
      made.push(at);
      if (m.options?.includes('ro')) mount(null, fdPath(at), null, MS_BIND | MS_REMOUNT | MS_RDONLY, null);
    }
    return made;
  } catch (e) {
    unbind(made);
    throw e;
  }
}

/** Makes `path` inside the root (a directory, or an empty file for a file's bind), parents too. */
function makeMountPoint(root: RootDir, path: string, source: string): number | undefined {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
  if (!parts.length) return undefined;
  const file = !statSync(source).isDirectory();
  for (let i = 1; i <= parts.length; i++) {
    const here = '/' + parts.slice(0, i).join('/');
    if (root.stat(here, { follow: true })) continue;
    const parent = root.tryOpen(posix.dirname(root.realPath(here)), { follow: true, dir: true });
    if (parent === undefined) return undefined;
    try {
      const at = fdPath(parent, posix.basename(root.realPath(here)));
      if (i === parts.length && file) closeSync(openSync(at, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY | fsc.O_NOFOLLOW, 0o644));
      else mkdirSync(at, 0o755);
    } finally {
      closeSync(parent);
    }
  }
  return root.tryOpen(path, { follow: true });
}

function unbind(made: number[]): void {
  for (const fd of made.reverse()) {
    try {
      umount2(fdPath(fd), MNT_DETACH);
    } finally {
      closeSync(fd);
    }
  }
}

/** The running container's root through its init process, if it still runs the pid recorded. */
async function liveRoot(cc: ContainerContext, c: ContainerRecord): Promise<RootDir | undefined> {
  if (!isActive(c.state.status) || c.state.pid <= 0) return undefined;
  let root: RootDir;
  try {
    root = RootDir.open(`/proc/${c.state.pid}/root`);
  } catch {
    return undefined;
  }
  // The pid could have ended, and been reused, between the refresh and the open.
  const now = cc.records.get(c.id);
  const still = now && (await refreshContainer(cc, now));
  if (still && isActive(still.state.status) && still.state.pid === c.state.pid) return root;
  root.close();
  return undefined;
}

/** Runs `fn` with the container's files, mounts included (`cp`, the archive endpoints). */
export async function withContainerTree<T>(
  cc: ContainerContext,
  c: ContainerRecord,
  opts: { write: boolean },
  fn: (root: RootDir) => Promise<T>,
): Promise<T> {
  const live = await liveRoot(cc, c);
  if (live) {
    try {
      return await fn(live);
    } finally {
      live.close();
    }
  }
  return withRootfs(cc, c, opts, (rootfs) =>
    RootDir.with(rootfs, async (root) => {
      const made = bindMounts(cc.ctx, root, c.config.opts.mounts ?? [], opts.write);
      try {
        return await fn(root);
      } finally {
        unbind(made);
      }
    }),
  );
}
