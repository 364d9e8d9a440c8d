import { walkTree } from '../volumes/size.js';
import type { ContainerContext } from './context.js';
import type { ContainerRecord } from './types.js';

/** Bytes of the regular files below `dir` (their apparent size, as Docker's SizeRw counts). */
async function treeSize(dir: string): Promise<number> {
  let total = 0;
  await walkTree(dir, (st) => {
    if (st.isFile()) total += st.size;
  });
  return total;
}

/** What the container wrote: the bytes of its writable layer's files (0 once it is gone). */
export async function writableSize(cc: ContainerContext, c: ContainerRecord): Promise<number> {
  return c.layerId ? await treeSize(cc.ctx.driver.diffPath(c.layerId)).catch(() => 0) : 0;
}

/** `ps -s`, `inspect -s`: what the container wrote (SizeRw) and that plus its image (SizeRootFs). */
export async function containerSizes(cc: ContainerContext, c: ContainerRecord): Promise<{ SizeRw: number; SizeRootFs: number }> {
  const rw = await writableSize(cc, c);
  const image = c.imageId ? (cc.ctx.records.image(c.imageId)?.size ?? 0) : 0;
  return { SizeRw: rw, SizeRootFs: rw + image };
}
