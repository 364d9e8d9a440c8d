import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Mount } from '../../core/runtime/spec-types.js';
import { mountStack, unmount } from '../../sys/mount.js';
import type { EngineContext } from '../context.js';

function mounted(target: string): boolean {
  const want = target.replace(/ /g, '\\040');
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === want);
}

/**
 * Mounts the container's layer stack at `target` (once; a second call is a no-op). `volatile`
 * for a `--rm` container's run: its writable layer is deleted after it, never synced.
 */
export async function mountRootfs(ctx: EngineContext, layerId: string, target: string, opts: { volatile?: boolean } = {}): Promise<void> {
  mkdirSync(target, { recursive: true });
  if (mounted(target)) return;
  await mountStack(ctx.driver.mounts(layerId, { volatile: !!opts.volatile }), target);
}

export function unmountRootfs(target: string): void {
  // Lazy: a process still inside (an exec shell, a cp) must not make cleanup fail. No look at
  // mountinfo first: umount2 says when nothing is mounted there (EINVAL), and the kernel's
  // mountinfo of a busy host took milliseconds to read, twice per container exit.
  unmount(target, { detach: true });
}

/**
 * Creates the spec's mount points in the rootfs as the host's root. With a user namespace runc
 * creates missing ones as the container's root, an unprivileged host uid that may not write
 * the image's directories (the layers are not chowned), and create fails with EACCES.
 * A path through a symlink is left to runc, which resolves it inside the rootfs.
 */
export function precreateMountpoints(rootfs: string, mounts: Mount[]): void {
  mounts: for (const m of mounts) {
    const parts = m.destination.split('/').filter((p) => p && p !== '.' && p !== '..');
    if (parts.length === 0) continue;
    let isFile = false;
    if (m.type === 'bind' && m.source) {
      try {
        isFile = !statSync(m.source).isDirectory();
      } catch {
        continue;
      }
    }
    let dir = rootfs;
    for (const [i, part] of parts.entries()) {
      const p = join(dir, part);
      const last = i === parts.length - 1;
      let st;
      try {
        st = lstatSync(p);
      } catch {
        st = undefined;
      }
      if (st?.isSymbolicLink()) continue mounts;
      if (!st) {
        if (last && isFile) closeSync(openSync(p, 'a', 0o644));
        else mkdirSync(p, { mode: 0o755 });
      } else if (!last && !st.isDirectory()) {
        continue mounts;
      }
      dir = p;
    }
  }
}
