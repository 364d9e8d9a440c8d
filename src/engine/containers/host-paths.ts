/**
 * Errors from the runtime and the file system name skiff's own directories: the rootfs mount
 * point, volume data directories, layer directories. The user knows none of them, and they
 * are no business of an API client: the path inside the container and the volume's name say
 * which mount failed. Any other path below skiff's roots keeps only its place in the layout.
 */
import { realpathSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface OwnPaths {
  root: string;
  runroot: string;
  /** The container's rootfs mount point, below the run root. */
  rootfs: string;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** The roots as given and as the runtime may print them (resolved through symlinks). */
function spellings(p: OwnPaths): OwnPaths[] {
  const root = real(p.root);
  const runroot = real(p.runroot);
  const resolved = { root, runroot, rootfs: join(runroot, relative(p.runroot, p.rootfs)) };
  return root === p.root && runroot === p.runroot ? [p] : [p, resolved];
}

export function hideHostPaths(message: string, paths: OwnPaths): string {
  let out = message;
  for (const p of spellings(paths)) {
    out = out
      .replace(new RegExp(`${esc(p.rootfs)}(?=/)`, 'g'), '')
      .replace(new RegExp(`${esc(p.rootfs)}(?![\\w.-])`, 'g'), '/')
      .replace(new RegExp(`${esc(p.root)}/volumes/([\\w.-]+)/_data`, 'g'), 'volume $1');
    // The longer root first: one may lie inside the other.
    const roots: [string, string][] = [[p.root, '<skiff root>'], [p.runroot, '<skiff run root>']];
    roots.sort((a, b) => b[0].length - a[0].length);
    for (const [dir, name] of roots) out = out.replace(new RegExp(`${esc(dir)}(?![\\w.-])`, 'g'), name);
  }
  return out;
}
