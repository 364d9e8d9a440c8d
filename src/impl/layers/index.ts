/**
 * Storage drivers (see core/layers/driver.ts): `overlay` where the kernel and the storage
 * root's filesystem allow it, `vfs` everywhere else.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerDriver } from '../../core/layers/driver.js';
import { invalidArgument } from '../../core/errdefs.js';
import { mountAll, unmount } from '../../sys/mount.js';
import { inUserNamespace } from '../../sys/linux/rootless-uid.js';
import { OverlayDriver } from './overlay.js';
import { VfsDriver } from './vfs.js';
import type { ApplyTarOptions } from './tar-apply.js';

export { OverlayDriver } from './overlay.js';
export { VfsDriver } from './vfs.js';
import type { ApplyResult } from '../../core/layers/driver.js';
import type * as tarApply from './tar-apply.js';

/** Applies a layer tar into a plain directory (cp into a container); the applier loads on first use. */
export async function applyTar(...args: Parameters<typeof tarApply.applyTar>): Promise<ApplyResult> {
  return (await import('./tar-apply.js')).applyTar(...args);
}
export type { ApplyTarOptions } from './tar-apply.js';

export type LayerDriverName = 'overlay' | 'vfs';

export function createLayerDriver(
  name: LayerDriverName,
  storageRoot: string,
  limits: Pick<ApplyTarOptions, 'maxEntrySize' | 'maxTotalSize'> = {},
  opts: { mountProgram?: string } = {},
): LayerDriver {
  switch (name) {
    case 'overlay':
      return new OverlayDriver(storageRoot, limits, opts);
    case 'vfs':
      return new VfsDriver(storageRoot, limits);
    default:
      throw invalidArgument(`unknown storage driver "${String(name)}": want overlay or vfs`);
  }
}

const probed = new Map<string, boolean>();

/**
 * Whether overlay mounts work here. Without `storageRoot`, whether the kernel knows
 * overlayfs at all; with it, whether an overlay with its upper dir on that filesystem can
 * really be mounted (it cannot on another overlay, or without privilege). Cached per root.
 */
export function overlaySupported(storageRoot?: string): boolean {
  let known = false;
  try {
    known = /\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8'));
  } catch {
    known = false;
  }
  if (storageRoot === undefined) return known;
  const cached = probed.get(storageRoot);
  if (cached !== undefined) return cached;
  let ok = false;
  mkdirSync(storageRoot, { recursive: true });
  const dir = mkdtempSync(join(storageRoot, '.overlay-probe-'));
  try {
    for (const d of ['lower1', 'lower2', 'upper', 'work', 'merged']) mkdirSync(join(dir, d));
    const opts = [`lowerdir=${dir}/lower1:${dir}/lower2`, `upperdir=${dir}/upper`, `workdir=${dir}/work`, ...(inUserNamespace() ? ['userxattr'] : [])];
    // Unknown to /proc/filesystems until the module loads; the mount attempt loads it.
    mountAll([{ type: 'overlay', source: 'overlay', options: opts }], join(dir, 'merged'));
    unmount(join(dir, 'merged'), { detach: true });
    ok = true;
  } catch {
    ok = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  probed.set(storageRoot, ok);
  return ok;
}
