import { posix } from 'node:path';
import { notFound } from '../../core/errdefs.js';
import { withContainerTree } from './container-tree.js';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';
import { refreshContainer } from './sync.js';

/** What `cp` needs to know about a path in a container before it copies (Docker's PathStat). */
export interface ContainerPathStat {
  name: string;
  size: number;
  /** st_mode: type and permission bits. */
  mode: number;
  mtime: Date;
  /** The path a symlink (as the last component) resolves to inside the container; '' otherwise. */
  linkTarget: string;
}

/** Stats `path` inside the container (a symlink itself, not what it points to). */
export async function statContainerPath(cc: ContainerContext, ref: string, path: string): Promise<ContainerPathStat> {
  const c = await refreshContainer(cc, resolveContainer(cc, ref));
  return withContainerTree(cc, c, { write: false }, async (root) => {
    const clean = posix.normalize('/' + path);
    const st = root.stat(clean, { follow: path.endsWith('/') });
    if (!st) throw notFound(`Could not find the file ${path} in container ${c.name}`);
    const linkTarget = st.isSymbolicLink() ? root.realPath(clean) : '';
    return { name: posix.basename(path.replace(/\/+$/, '')) || '/', size: st.size, mode: st.mode, mtime: st.mtime, linkTarget };
  });
}
