import { existsSync, lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, resolve as resolveHost } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidArgument, notFound } from '../../core/errdefs.js';
import { applyTar } from '../../impl/layers/index.js';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';
import { withRootfs } from './rootfs-access.js';
import { resolveInRoot } from './scoped-path.js';
import { refreshContainer } from './sync.js';
import { TreeTar, pumpTar, type TreeTarOptions } from './tree-tar.js';

/**
 * `cp`: one direction per call. `out` reads `path` in the container into a tar stream or onto
 * a host path; `in` writes a tar stream or a host path into the container at `path`.
 * `archive` keeps the files' owners when copying from a host path (docker cp -a); a tar
 * stream always keeps the owners it carries.
 */
export type CopyRequest =
  | { direction: 'out'; path: string; tar: Writable; followLink?: boolean }
  | { direction: 'out'; path: string; hostPath: string; followLink?: boolean; archive?: boolean }
  | { direction: 'in'; path: string; tar: Readable }
  | { direction: 'in'; path: string; hostPath: string; followLink?: boolean; archive?: boolean };

/** What a source path names: the node to pack and the name its copy gets. */
interface Source {
  abs: string;
  st: Stats;
  /** `dir/.`: copy the directory's contents, not the directory. */
  contentsOnly: boolean;
  base: string;
}

function source(abs: string, given: string, what: string): Source {
  const st = lstatSync(abs, { throwIfNoEntry: false });
  if (!st) throw notFound(`Could not find the file ${given} in ${what}`);
  const contentsOnly = /(^|\/)\.$/.test(given);
  if ((contentsOnly || given.endsWith('/')) && !st.isDirectory()) throw invalidArgument(`${given}: not a directory`);
  return { abs, st, contentsOnly, base: basename(given.replace(/\/+\.?$/, '')) || '.' };
}

/** The directory to unpack into and the name the copy takes there, Docker's rules for a destination. */
function target(src: Source, destAbs: string, parentAbs: string, given: string): { dir: string; name: string } {
  const st = statSync(destAbs, { throwIfNoEntry: false });
  if (src.contentsOnly) {
    if (st && !st.isDirectory()) throw invalidArgument(`cannot copy a directory to a file: ${given}`);
    if (!st) {
      if (!statSync(parentAbs, { throwIfNoEntry: false })?.isDirectory()) throw notFound(`no such directory: ${dirname(given)}`);
      mkdirSync(destAbs, { mode: src.st.mode & 0o7777 });
    }
    return { dir: destAbs, name: '' };
  }
  if (st?.isDirectory()) return { dir: destAbs, name: src.base };
  if (given.endsWith('/')) throw notFound(`destination directory ${given} does not exist`);
  if (st && src.st.isDirectory()) throw invalidArgument(`cannot copy a directory to a file: ${given}`);
  if (!statSync(parentAbs, { throwIfNoEntry: false })?.isDirectory()) throw notFound(`no such directory: ${dirname(given)}`);
  return { dir: parentAbs, name: basename(given.replace(/\/+$/, '')) };
}

/** Packs `src` under the name `name` while `consume` reads the archive. */
async function streamTree(src: Source, name: string, opts: TreeTarOptions, consume: (tar: Readable) => Promise<unknown>): Promise<void> {
  const t = new TreeTar(opts);
  await pumpTar(t, () => t.addTree(src.abs, name, { contentsOnly: src.contentsOnly }), consume);
}

function unpack(tar: Readable, dir: string): Promise<unknown> {
  return applyTar(tar, dir, { whiteouts: 'delete' });
}

export async function copyContainer(cc: ContainerContext, ref: string, req: CopyRequest): Promise<void> {
  const c = await refreshContainer(cc, resolveContainer(cc, ref));
  const what = `container ${c.name}`;
  const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  if (req.direction === 'out') {
    await withRootfs(cc, c, { write: false }, async (rootfs) => {
      const abs = resolveInRoot(rootfs, req.path, { followLast: !!req.followLink || req.path.endsWith('/') });
      const src = source(abs, req.path, what);
      if ('tar' in req) {
        await streamTree(src, src.contentsOnly ? '' : src.base, {}, (tar) => pipeline(tar, req.tar));
        return;
      }
      const dest = resolveHost(req.hostPath);
      const t = target(src, dest, dirname(dest), req.hostPath);
      await streamTree(src, t.name, req.archive ? {} : { owner }, (tar) => unpack(tar, t.dir));
    });
    return;
  }
  await withRootfs(cc, c, { write: true }, async (rootfs) => {
    const destAbs = resolveInRoot(rootfs, req.path);
    if ('tar' in req) {
      if (!statSync(destAbs, { throwIfNoEntry: false })?.isDirectory()) {
        throw notFound(`destination ${req.path} in ${what} is not a directory`);
      }
      await unpack(req.tar, destAbs);
      return;
    }
    let hostAbs = resolveHost(req.hostPath);
    if (req.followLink && existsSync(hostAbs)) hostAbs = realpathSync(hostAbs);
    const src = source(hostAbs, req.hostPath, 'the local filesystem');
    const parentAbs = resolveInRoot(rootfs, dirname(req.path.replace(/\/+$/, '') || '/'));
    const t = target(src, destAbs, parentAbs, req.path);
    // Files copied in belong to the container's root unless -a asks to keep their owners.
    await streamTree(src, t.name, req.archive ? {} : { owner: { uid: 0, gid: 0 } }, (tar) => unpack(tar, t.dir));
  });
}
