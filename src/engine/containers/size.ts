import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerContext } from './context.js';
import type { ContainerRecord } from './types.js';

/** Bytes of the regular files below `dir` (their apparent size, as Docker's SizeRw counts). */
function treeSize(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const p = join(dir, name);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) total += treeSize(p);
    else if (st.isFile()) total += st.size;
  }
  return total;
}

/** `ps -s`: what the container wrote (SizeRw) and that plus its image (SizeRootFs). */
export function containerSizes(cc: ContainerContext, c: ContainerRecord): { SizeRw: number; SizeRootFs: number } {
  const rw = c.layerId ? treeSize(cc.ctx.driver.diffPath(c.layerId)) : 0;
  const image = c.imageId ? (cc.ctx.records.image(c.imageId)?.size ?? 0) : 0;
  return { SizeRw: rw, SizeRootFs: rw + image };
}
