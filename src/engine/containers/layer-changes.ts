import { closeSync, constants as fsc, lstatSync, openSync, readdirSync, readlinkSync, readFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { isOpaque, isOverlayBookkeeping, isWhiteout, lstatIfExists } from '../../impl/layers/fs-util.js';
import { readdir } from 'node:fs/promises';
import { findInLowersAsync } from '../../impl/layers/lowers.js';
import { errCode, fdPath, openChild } from '../../impl/rooted/root-dir.js';
import type { ContainerContext } from './context.js';
import type { ContainerRecord } from './types.js';

export type ChangeKind = 'A' | 'C' | 'D';

export interface LayerChange {
  /** Relative to the root, no leading slash. */
  path: string;
  kind: ChangeKind;
  /** An overlay opaque directory: nothing below it comes from the lower layers. */
  opaque?: boolean;
}

/** Where runc creates mount points when the image lacks them; Docker keeps these out of diff (its init layer). */
const RUNTIME_TARGETS = ['etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'proc', 'sys', 'dev', 'run/.containerenv', '.containerenv'];

function mountTargets(cc: ContainerContext, c: ContainerRecord): Set<string> {
  const out = new Set(RUNTIME_TARGETS);
  try {
    const spec = JSON.parse(readFileSync(join(cc.paths(c.id).bundle, 'config.json'), 'utf8')) as { mounts?: { destination: string }[] };
    for (const m of spec.mounts ?? []) out.add(m.destination.replace(/^\/+/, ''));
  } catch {
    // No bundle (never started): only the fixed targets apply.
  }
  return out;
}

/** The lower layers of `layerId`, nearest first (overlay: their diff dirs; vfs: the parent's full tree). */
export function lowerDirs(cc: ContainerContext, layerId: string): string[] {
  const out: string[] = [];
  for (let l = cc.ctx.records.layer(layerId)?.parent ?? null; l; l = cc.ctx.records.layer(l)?.parent ?? null) {
    out.push(cc.ctx.driver.diffPath(l));
    if (cc.ctx.driver.name === 'vfs') break;
  }
  return out;
}

function names(dir: string): string[] {
  return readdirSync(dir).sort();
}

function gone(e: unknown): boolean {
  const code = errCode(e);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

/** Entries of one directory looked up at once: their lstats and lower lookups run on libuv's pool together. */
const BATCH = 64;

/**
 * overlay: the upper dir is the change set; lower layers tell added from changed. A running
 * container changes its upper dir while it is read, so the walk holds each directory by a
 * descriptor and looks one name below it at a time, never following one. The lstats run on
 * libuv's pool: a build's COPY layer of thousands of files must not hold the API service's loop.
 */
async function overlayChanges(upper: string, lowers: string[]): Promise<LayerChange[]> {
  const out: LayerChange[] = [];
  const walk = async (dirFd: number, rel: string, hidden: boolean) => {
    let children: string[];
    try {
      children = (await readdir(fdPath(dirFd))).sort();
    } catch (e) {
      if (gone(e)) return;
      throw e;
    }
    for (let i = 0; i < children.length; i += BATCH) {
      const batch = await Promise.all(
        children.slice(i, i + BATCH).map(async (name) => {
          const path = rel ? `${rel}/${name}` : name;
          const st = await lstatIfExists(fdPath(dirFd, name));
          const below = !!st && !isWhiteout(st) && !hidden && (await findInLowersAsync(lowers, path)).kind === 'found';
          return { name, path, st, below };
        }),
      );
      for (const { name, path, st, below } of batch) {
        if (!st || isOverlayBookkeeping(name)) continue;
        if (isWhiteout(st)) {
          out.push({ path, kind: 'D' });
          continue;
        }
        if (!st.isDirectory()) {
          out.push({ path, kind: below ? 'C' : 'A' });
          continue;
        }
        const opaque = isOpaque(fdPath(dirFd, name));
        out.push({ path, kind: below ? 'C' : 'A', ...(opaque ? { opaque } : {}) });
        let fd: number;
        try {
          fd = openChild(dirFd, name, { dir: true });
        } catch (e) {
          if (gone(e)) continue;
          throw e;
        }
        try {
          await walk(fd, path, hidden || opaque || !below);
        } finally {
          closeSync(fd);
        }
      }
    }
  };
  const root = openSync(upper, 0o10000000 /* O_PATH */ | fsc.O_DIRECTORY);
  try {
    await walk(root, '', false);
  } finally {
    closeSync(root);
  }
  return out;
}

function sameNode(a: Stats, b: Stats, aPath: string, bPath: string): boolean {
  if ((a.mode & 0o170000) !== (b.mode & 0o170000)) return false;
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return false;
  if (a.isDirectory()) return true;
  if (a.size !== b.size || a.mtimeMs !== b.mtimeMs) return false;
  return !a.isSymbolicLink() || readlinkSync(aPath) === readlinkSync(bPath);
}

/** vfs: each layer is a full tree, so compare it with the parent's, as Docker's naive differ does. */
function treeChanges(tree: string, parent: string | undefined): LayerChange[] {
  const out: LayerChange[] = [];
  const walk = (rel: string) => {
    const here = rel ? join(tree, rel) : tree;
    const there = parent === undefined ? undefined : rel ? join(parent, rel) : parent;
    const mine = names(here);
    const theirs = there && lstatSync(there, { throwIfNoEntry: false })?.isDirectory() ? names(there) : [];
    const all = [...new Set([...mine, ...theirs])].sort();
    for (const name of all) {
      const path = rel ? `${rel}/${name}` : name;
      const a = lstatSync(join(tree, path), { throwIfNoEntry: false });
      const b = parent === undefined ? undefined : lstatSync(join(parent, path), { throwIfNoEntry: false });
      if (!a) {
        out.push({ path, kind: 'D' });
        continue;
      }
      const own = out.length;
      if (!b) out.push({ path, kind: 'A' });
      else if (!sameNode(a, b, join(tree, path), join(parent!, path))) out.push({ path, kind: 'C' });
      if (a.isDirectory()) {
        const reported = out.length > own;
        const before = out.length;
        walk(path);
        // Replaced a non-directory by a directory: everything below is new.
        if (b && !b.isDirectory()) for (let i = before; i < out.length; i++) out[i]!.kind = 'A';
        // A directory with changes below counts as changed itself, as Docker reports it.
        if (!reported && out.length > before) out.splice(own, 0, { path, kind: 'C' });
      }
    }
  };
  walk('');
  return out;
}

/**
 * Drops the mount points the runtime created (and the directories that changed only because
 * of them), so a container that changed nothing shows nothing.
 */
function withoutRuntimeTargets(changes: LayerChange[], targets: Set<string>): LayerChange[] {
  const dropped = changes.filter((ch) => ch.kind === 'A' && targets.has(ch.path)).map((ch) => ch.path);
  if (!dropped.length) return changes;
  const droppedSet = new Set(dropped);
  const under = (dir: string, p: string) => p.startsWith(dir + '/');
  const kept = changes.filter((ch) => !droppedSet.has(ch.path) && !dropped.some((d) => under(d, ch.path)));
  return kept.filter((ch) => {
    if (ch.kind !== 'C') return true;
    const causedByDrop = dropped.some((d) => under(ch.path, d));
    if (!causedByDrop) return true;
    return kept.some((o) => o !== ch && under(ch.path, o.path));
  });
}

/** A layer's own changes against its parents with nothing dropped (the builder's layers), and their directory. */
export async function rawLayerChanges(cc: ContainerContext, layerId: string): Promise<{ changes: LayerChange[]; source: string }> {
  const driver = cc.ctx.driver;
  const source = driver.diffPath(layerId);
  const lowers = lowerDirs(cc, layerId);
  return { changes: driver.name === 'overlay' ? await overlayChanges(source, lowers) : treeChanges(source, lowers[0]), source };
}

/** The container's own changes, and the directory their content is read from. */
export async function layerChanges(cc: ContainerContext, c: ContainerRecord): Promise<{ changes: LayerChange[]; source: string }> {
  const driver = cc.ctx.driver;
  const layerId = c.layerId!;
  const source = driver.diffPath(layerId);
  const lowers = lowerDirs(cc, layerId);
  const raw = driver.name === 'overlay' ? await overlayChanges(source, lowers) : treeChanges(source, lowers[0]);
  return { changes: withoutRuntimeTargets(raw, mountTargets(cc, c)), source };
}
