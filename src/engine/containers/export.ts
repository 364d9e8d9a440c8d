import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';
import { withRootfs } from './rootfs-access.js';
import { refreshContainer } from './sync.js';
import { TreeTar, pumpTar } from './tree-tar.js';

/** `export`: the container's whole root filesystem (image and changes merged) as one tar. */
export async function exportContainer(cc: ContainerContext, ref: string, out: Writable): Promise<void> {
  const c = await refreshContainer(cc, resolveContainer(cc, ref));
  await withRootfs(cc, c, { write: false }, async (rootfs) => {
    const t = new TreeTar();
    await pumpTar(t, () => t.addTree(rootfs, '', { contentsOnly: true }), (tar) => pipeline(tar, out));
  });
}
