import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fstatSync, lstatSync, mkdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, join, posix, resolve as resolveHost } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalidArgument, notFound } from '../../core/errdefs.js';
import { applyTar } from '../../impl/layers/index.js';
import { DEFAULT_MAX_ENTRY_SIZE } from '../../impl/layers/tar-apply.js';
import type { RootDir} from '../../impl/rooted/root-dir.js';
import { errCode, fdPath, openChild, usingFd } from '../../impl/rooted/root-dir.js';
import { spoolChecked, unpackInRoot } from '../../impl/rooted/unpack.js';
import { withContainerTree } from './container-tree.js';
import type { ContainerContext } from './context.js';
import { withContainer } from './locked.js';
import type { ContainerRecord } from './types.js';
import { TreeTar, pumpTar, type TreeTarOptions } from './tree-tar.js';

/**
 * `cp`: one direction per call. `out` reads `path` in the container into a tar stream or onto
 * a host path; `in` writes a tar stream or a host path into the container at `path`.
 * `archive` keeps the files' owners when copying from a host path (docker cp -a); a tar
 * stream always keeps the owners it carries.
 */
export type CopyRequest =
  | { direction: 'out'; path: string; tar: Writable; followLink?: boolean; onOpen?: () => void }
  | { direction: 'out'; path: string; hostPath: string; followLink?: boolean; archive?: boolean }
  | { direction: 'in'; path: string; tar: Readable }
  | { direction: 'in'; path: string; hostPath: string; followLink?: boolean; archive?: boolean };

const LIMITS = { maxEntrySize: DEFAULT_MAX_ENTRY_SIZE };

/** `dir/.` copies the directory's contents, not the directory. */
function contentsOnly(given: string): boolean {
  return /(^|\/)\.$/.test(given);
}

/** The name a copy of `given` takes. */
function baseName(given: string): string {
  return basename(given.replace(/\/+\.?$/, '')) || '.';
}

/** Docker cleans a container path lexically before resolving it inside the root. */
function inRoot(given: string): string {
  return posix.normalize('/' + given);
}

/** A node in the container to pack: a descriptor of it, or of its parent plus its name. */
interface ContainerSource {
  /** What TreeTar reads: `/proc/self/fd/N` (pinned) or `/proc/self/fd/PARENT/NAME`. */
  path: string;
  pinned: boolean;
  fd: number;
  leaf: string;
  st: Stats;
  contentsOnly: boolean;
  base: string;
}

function openSource(root: RootDir, given: string, followLink: boolean, what: string): ContainerSource {
  const path = inRoot(given);
  const follow = followLink || given.endsWith('/') || contentsOnly(given) || path === '/';
  const missing = () => notFound(`Could not find the file ${given} in ${what}`);
  const open = (p: string, o: { follow?: boolean; dir?: boolean }) => {
    try {
      return root.open(p, o);
    } catch (e) {
      if (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR') throw missing();
      throw e;
    }
  };
  let src: ContainerSource;
  if (follow) {
    const fd = open(path, { follow: true });
    src = { path: fdPath(fd), pinned: true, fd, leaf: '', st: fstatSync(fd), contentsOnly: contentsOnly(given), base: baseName(given) };
  } else {
    const fd = open(posix.dirname(path), { follow: true, dir: true });
    const leaf = posix.basename(path);
    const st = lstatSync(fdPath(fd, leaf), { throwIfNoEntry: false });
    if (!st) {
      closeSync(fd);
      throw missing();
    }
    src = { path: fdPath(fd, leaf), pinned: false, fd, leaf, st, contentsOnly: false, base: baseName(given) };
  }
  if ((src.contentsOnly || given.endsWith('/')) && !src.st.isDirectory()) {
    closeSync(src.fd);
    throw invalidArgument(`${given}: not a directory`);
  }
  return src;
}

/** Packs a container node under `name` while `consume` reads the archive. */
async function streamSource(src: ContainerSource, name: string, opts: TreeTarOptions, consume: (tar: Readable) => Promise<unknown>): Promise<void> {
  const t = new TreeTar(opts);
  await pumpTar(
    t,
    async () => {
      if (!src.st.isDirectory()) return t.addNode(src.path, name, src.st, { pinned: src.pinned });
      if (src.pinned) return t.addDirAt(src.fd, name, { contentsOnly: src.contentsOnly, st: src.st });
      await usingFd(openChild(src.fd, src.leaf, { dir: true }), (fd) => t.addDirAt(fd, name, { st: fstatSync(fd) }));
    },
    consume,
  );
}

/** A host path to pack (the user's own files, so plain paths). */
interface HostSource {
  abs: string;
  st: Stats;
  contentsOnly: boolean;
  base: string;
}

function hostSource(abs: string, given: string): HostSource {
  const st = lstatSync(abs, { throwIfNoEntry: false });
  if (!st) throw notFound(`Could not find the file ${given} in the local filesystem`);
  if ((contentsOnly(given) || given.endsWith('/')) && !st.isDirectory()) throw invalidArgument(`${given}: not a directory`);
  return { abs, st, contentsOnly: contentsOnly(given), base: baseName(given) };
}

/** Docker's rules for a host destination: the directory to unpack into and the copy's name. */
function hostTarget(src: { st: Stats; contentsOnly: boolean; base: string }, given: string): { dir: string; name: string } {
  const destAbs = resolveHost(given);
  const parentAbs = dirname(destAbs);
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

/**
 * Docker's rules for a destination in the container, decided inside its root: the directory
 * to unpack into (descriptor and path) and the name the copy takes there. A destination that
 * is a symlink is followed inside the root, also to a file or to nowhere yet.
 */
function containerTarget(root: RootDir, src: HostSource, given: string): { fd: number; dir: string; name: string } {
  const path = inRoot(given);
  const st = root.stat(path, { follow: true });
  const openDir = (p: string, missing: () => Error) => {
    const fd = root.tryOpen(p, { follow: true, dir: true });
    if (fd === undefined) throw missing();
    return fd;
  };
  if (src.contentsOnly) {
    if (st && !st.isDirectory()) throw invalidArgument(`cannot copy a directory to a file: ${given}`);
    if (!st) {
      const real = root.realPath(path);
      const parent = openDir(posix.dirname(real), () => notFound(`no such directory: ${dirname(given)}`));
      try {
        mkdirSync(fdPath(parent, posix.basename(real)), { mode: src.st.mode & 0o7777 });
      } finally {
        closeSync(parent);
      }
    }
    return { fd: openDir(path, () => notFound(`no such directory: ${given}`)), dir: path, name: '' };
  }
  if (st?.isDirectory()) return { fd: openDir(path, () => notFound(`no such directory: ${given}`)), dir: path, name: src.base };
  if (given.endsWith('/')) throw notFound(`destination directory ${given} does not exist`);
  if (st && src.st.isDirectory()) throw invalidArgument(`cannot copy a directory to a file: ${given}`);
  const real = root.realPath(path);
  const dir = posix.dirname(real);
  return { fd: openDir(dir, () => notFound(`no such directory: ${dirname(given)}`)), dir, name: posix.basename(real) };
}

/** The storage root's scratch directory, on disk (a spooled archive can be large). */
function spoolPath(cc: ContainerContext): string {
  const dir = join(cc.ctx.root, 'tmp');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, `cp-${randomBytes(8).toString('hex')}.tar`);
}

/** Holds the container's lock throughout: a start or rm never mounts or removes the tree under a copy. */
export function copyContainer(cc: ContainerContext, ref: string, req: CopyRequest): Promise<void> {
  return withContainer(cc, ref, (c) => copyLocked(cc, c, req));
}

async function copyLocked(cc: ContainerContext, c: ContainerRecord, req: CopyRequest): Promise<void> {
  const what = `container ${c.name}`;
  const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  if (req.direction === 'out') {
    await withContainerTree(cc, c, { write: false }, async (root) => {
      const src = openSource(root, req.path, !!req.followLink, what);
      try {
        if ('tar' in req) {
          // Found and open: from here a failure can only cut the archive short.
          req.onOpen?.();
          await streamSource(src, src.contentsOnly ? '' : src.base, {}, (tar) => pipeline(tar, req.tar));
          return;
        }
        const t = hostTarget(src, req.hostPath);
        const opts = req.archive ? {} : { owner };
        await streamSource(src, t.name, opts, (tar) => applyTar(tar, t.dir, { whiteouts: 'none' }));
      } finally {
        closeSync(src.fd);
      }
    });
    return;
  }
  if ('tar' in req) {
    // Checked whole before the first write: a refused archive applies nothing.
    const spool = spoolPath(cc);
    await spoolChecked(req.tar, spool, LIMITS);
    try {
      await withContainerTree(cc, c, { write: true }, async (root) => {
        const path = inRoot(req.path);
        const fd = root.tryOpen(path, { follow: true, dir: true });
        if (fd === undefined || !fstatSync(fd).isDirectory()) throw notFound(`destination ${req.path} in ${what} is not a directory`);
        await usingFd(fd, () => unpackInRoot(createReadStream(spool), root, fd, path, LIMITS));
      });
    } finally {
      rmSync(spool, { force: true });
    }
    return;
  }
  let hostAbs = resolveHost(req.hostPath);
  if (req.followLink && existsSync(hostAbs)) hostAbs = realpathSync(hostAbs);
  const src = hostSource(hostAbs, req.hostPath);
  await withContainerTree(cc, c, { write: true }, async (root) => {
    const t = containerTarget(root, src, req.path);
    // Files copied in belong to the container's root unless -a asks to keep their owners.
    const tt = new TreeTar(req.archive ? {} : { owner: { uid: 0, gid: 0 } });
    await usingFd(t.fd, () =>
      pumpTar(tt, () => tt.addTree(src.abs, t.name, { contentsOnly: src.contentsOnly }), (tar) => unpackInRoot(tar, root, t.fd, t.dir, LIMITS)),
    );
  });
}
