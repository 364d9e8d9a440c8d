import { mkdirSync, readFileSync } from 'node:fs';
import { mountAll, unmount } from '../../sys/mount.js';
import type { EngineContext } from '../context.js';

function mounted(target: string): boolean {
  const want = target.replace(/ /g, '\\040');
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === want);
}

/** Mounts the container's layer stack at `target` (once; a second call is a no-op). */
export function mountRootfs(ctx: EngineContext, layerId: string, target: string): void {
  mkdirSync(target, { recursive: true });
  if (mounted(target)) return;
  mountAll(ctx.driver.mounts(layerId), target);
}

export function unmountRootfs(target: string): void {
  // Lazy: a process still inside (an exec shell, a cp) must not make cleanup fail.
  while (mounted(target)) if (!unmount(target, { detach: true })) break;
}
