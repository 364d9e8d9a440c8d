import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RootDir } from '../../impl/rooted/root-dir.js';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';
import { withRootfs } from './rootfs-access.js';
import { refreshContainer } from './sync.js';
import { TreeTar, pumpTar } from './tree-tar.js';

/**
 * `export`: the container's whole root filesystem (image and changes merged, volumes not
 * included, as Docker's) as one tar, read through descriptors so a running container that
 * rearranges its files meanwhile cannot point the walk outside its root.
 */
export async function exportContainer(cc: ContainerContext, ref: string, out: Writable): Promise<void> {
  const c = await refreshContainer(cc, resolveContainer(cc, ref));
  await withRootfs(cc, c, { write: false }, (rootfs) =>
    RootDir.with(rootfs, async (root) => {
      const t = new TreeTar();
      await pumpTar(t, () => t.addDirAt(root.fd, '', { contentsOnly: true }), (tar) => pipeline(tar, out));
    }),
  );
}
