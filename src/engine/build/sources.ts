import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import type { IgnoreMatcher } from '../../core/build/index.js';
import { invalidArgument, notFound } from '../../core/errdefs.js';
import { timeSlicer } from '../../core/time-slice.js';
import { resolveInRoot } from '../containers/scoped-path.js';

/** One node to copy: where it is on the host and where it goes, relative to the copy's target. */
export interface SourceEntry {
  abs: string;
  /** '' for the source itself; `a/b` below it. */
  rel: string;
  st: Stats;
}

/** A source of COPY/ADD after globbing: a node of a tree (context, stage or image) and everything below it. */
export interface SourceNode {
  /** The path as matched, relative to the tree's root (for messages and the base name). */
  path: string;
  entries: SourceEntry[];
}

/** What COPY needs of a .dockerignore matcher (a context's, plus --exclude patterns). */
export type PathFilter = Pick<IgnoreMatcher, 'isExcluded' | 'canSkipDir'>;

const GLOB_META = /[*?[\\]/;

/** One path segment against a Go filepath.Match pattern (`*`, `?`, `[a-z]`, `[^a]`, `\x`). */
export function segmentRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw invalidArgument(`syntax error in pattern ${pattern}`);
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^') || body.startsWith('!');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/\\(.)/g, '\\$1').replace(/([\]^])/g, '\\$1')}]`;
      i = end;
    } else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`, 's');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Lexically clean, relative to the tree's root: `..` never climbs above it (as Docker cleans COPY sources). */
export function cleanSource(p: string): string {
  const n = posix.normalize('/' + p).slice(1);
  return n === '.' ? '' : n.replace(/\/$/, '');
}

/**
 * The paths `pattern` names in the tree at `root`: itself when it has no wildcards, otherwise
 * every match of it, segment by segment, in name order. Excluded paths (.dockerignore) are
 * never matched.
 */
export function matchSources(root: string, pattern: string, ignore?: PathFilter): string[] {
  const clean = cleanSource(pattern);
  if (!GLOB_META.test(clean)) {
    if (clean !== '' && ignore?.isExcluded(clean)) return [];
    return lstatSync(resolveInRoot(root, clean), { throwIfNoEntry: false }) ? [clean] : [];
  }
  const segments = clean.split('/');
  let current = [''];
  for (const seg of segments) {
    const next: string[] = [];
    const literal = !GLOB_META.test(seg);
    const re = literal ? undefined : segmentRegExp(seg);
    for (const dir of current) {
      const host = resolveInRoot(root, dir);
      if (literal) {
        const p = dir ? `${dir}/${seg}` : seg;
        if (lstatSync(resolveInRoot(root, p), { throwIfNoEntry: false })) next.push(p);
        continue;
      }
      let names: string[];
      try {
        if (!lstatSync(host).isDirectory()) continue;
        names = readdirSync(host).sort();
      } catch {
        continue;
      }
      for (const name of names) if (re!.test(name)) next.push(dir ? `${dir}/${name}` : name);
    }
    current = next;
  }
  return current.filter((p) => !ignore?.isExcluded(p));
}

/**
 * The node at `path` (a symlink as the path itself is followed, inside the tree) and, for a
 * directory, every node below it in name order, leaving out what `ignore` excludes. A directory
 * that is excluded itself is walked only when an exception might bring something inside back.
 */
export async function walkSource(root: string, path: string, ignore?: PathFilter): Promise<SourceNode> {
  const abs = resolveInRoot(root, path);
  const st = await lstat(abs).catch(() => undefined);
  if (!st) throw notFound(`${path}: no such file or directory`);
  const entries: SourceEntry[] = [{ abs, rel: '', st }];
  const slice = timeSlicer();
  if (st.isDirectory()) {
    const walk = async (dirAbs: string, dirRel: string, ctxRel: string) => {
      for (const name of (await readdir(dirAbs)).sort()) {
        const rel = dirRel ? `${dirRel}/${name}` : name;
        const cRel = ctxRel ? `${ctxRel}/${name}` : name;
        const childAbs = `${dirAbs}/${name}`;
        const cst = await lstat(childAbs);
        await slice();
        const excluded = !!ignore?.isExcluded(cRel);
        if (excluded && (!cst.isDirectory() || ignore!.canSkipDir(cRel))) continue;
        const at = entries.length;
        if (!excluded) entries.push({ abs: childAbs, rel, st: cst });
        if (cst.isDirectory()) {
          await walk(childAbs, rel, cRel);
          // An excluded directory still holds what an exception brought back.
          if (excluded && entries.length > at) entries.splice(at, 0, { abs: childAbs, rel, st: cst });
        }
      }
    };
    await walk(abs, '', path);
  }
  return { path, entries };
}

async function fileDigest(abs: string, size: number): Promise<string> {
  const h = createHash('sha256');
  if (size > 0) {
    const f = await open(abs, 'r');
    try {
      const buf = Buffer.allocUnsafe(Math.min(size, 1 << 20));
      for (;;) {
        const { bytesRead: n } = await f.read(buf, 0, buf.length, null);
        if (n <= 0) break;
        h.update(n === buf.length ? buf : buf.subarray(0, n));
      }
    } finally {
      await f.close();
    }
  }
  return h.digest('hex');
}

/**
 * What COPY's cache key takes from its sources: names, types, modes, link targets and content
 * hashes, never times (touching a file keeps the cache; changing it does not). Files are read
 * asynchronously: the API service serves other requests while a big context is hashed.
 */
export async function digestSources(nodes: SourceNode[]): Promise<string> {
  const h = createHash('sha256');
  for (const n of nodes) {
    h.update(`node\0${n.path}\0`);
    for (const e of n.entries) {
      const st = e.st;
      let body = '';
      if (st.isFile()) body = await fileDigest(e.abs, st.size);
      else if (st.isSymbolicLink()) body = readlinkSync(e.abs);
      else if (st.isCharacterDevice() || st.isBlockDevice()) body = String(st.rdev);
      h.update(`${e.rel}\0${st.mode}\0${body}\0`);
    }
  }
  return h.digest('hex');
}
