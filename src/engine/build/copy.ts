import { chmodSync, lchownSync, lstatSync, lutimesSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { invalidArgument } from '../../core/errdefs.js';
import { timeSlicer } from '../../core/time-slice.js';
import { copyNode, copyNodeAsync, lstatIfExists } from '../../impl/layers/fs-util.js';
import { chmod, lchown, lutimes } from 'node:fs/promises';
import { resolveInRoot } from '../containers/scoped-path.js';
import type { SourceNode } from './sources.js';

export interface Owner {
  uid: number;
  gid: number;
}

/** What one COPY/ADD puts into the rootfs. */
export type CopyItem =
  /** A node of a tree and what is below it: a directory's contents go into the destination. */
  | { kind: 'tree'; node: SourceNode; /** Source files get root:root (context) unless --chown; stage files keep theirs. */ keepOwner: boolean }
  /** A file made from bytes (heredoc, downloaded URL). */
  | { kind: 'bytes'; name: string; data: Buffer | { path: string }; mode: number; mtime?: Date }
  /** A local archive ADD unpacks into the destination. */
  | { kind: 'archive'; path: string };

export interface CopyRequest {
  rootfs: string;
  items: CopyItem[];
  /** Absolute, after WORKDIR; a trailing slash kept. */
  dest: string;
  chown?: Owner;
  chmod?: number;
  what: 'COPY' | 'ADD';
  unpack: (archive: string, intoHost: string) => Promise<void>;
}

/** `user[:group]` → ids, names looked up in the rootfs's /etc/passwd and /etc/group (Docker's rules). */
export function resolveOwner(rootfs: string, spec: string): Owner {
  const [u, g] = spec.split(':', 2) as [string, string | undefined];
  const table = (file: string) => {
    try {
      return readFileSync(resolveInRoot(rootfs, file), 'utf8').split('\n').map((l) => l.split(':'));
    } catch {
      return [];
    }
  };
  const num = (s: string) => (/^\d+$/.test(s) ? Number(s) : undefined);
  let uid = num(u);
  let primary: number | undefined;
  if (uid === undefined) {
    const row = table('etc/passwd').find((r) => r[0] === u);
    if (!row) throw invalidArgument(`unable to convert uid/gid chown string to host mapping: can't find uid for user ${u}: no such user: ${u}`);
    uid = Number(row[2]);
    primary = Number(row[3]);
  }
  let gid: number;
  if (g === undefined || g === '') {
    // A name gets its primary group; a number is used for both (Docker).
    gid = primary ?? uid;
  } else {
    const n = num(g);
    if (n !== undefined) gid = n;
    else {
      const row = table('etc/group').find((r) => r[0] === g);
      if (!row) throw invalidArgument(`unable to convert uid/gid chown string to host mapping: can't find gid for group ${g}: no such group: ${g}`);
      gid = Number(row[2]);
    }
  }
  return { uid, gid };
}

/**
 * The mode a file keeps through Docker's builder, which chowns every file it copies (to root, or
 * as --chown says): the kernel's chown drops setuid, and setgid where the group may execute.
 * Directories keep theirs; `COPY --from` without --chown does not chown and keeps them too.
 */
export function chownedMode(mode: number): number {
  let m = mode & 0o7777;
  m &= ~0o4000;
  if (m & 0o010) m &= ~0o2000;
  return m;
}

export function parseChmod(spec: string): number {
  if (!/^[0-7]{3,4}$/.test(spec)) throw invalidArgument(`invalid chmod parameter ${JSON.stringify(spec)}: only octal modes are supported`);
  return parseInt(spec, 8);
}

/**
 * Copies into a mounted rootfs with Docker's rules: a directory source copies its contents; a
 * destination ending in `/` (or an existing directory) receives sources by their base name;
 * several sources need such a destination. Every path is resolved inside the rootfs (a
 * symlink there never leads out). Missing directories are made 0755: root-owned above a
 * copied directory or an archive, owned as --chown says above a file (dockerd 20.10).
 */
export async function copyInto(req: CopyRequest): Promise<void> {
  const { rootfs } = req;
  const destRel = req.dest.replace(/^\/+/, '');
  const destHost = resolveInRoot(rootfs, destRel);
  const destIsDir = req.dest.endsWith('/') || !!lstatSync(destHost, { throwIfNoEntry: false })?.isDirectory();
  if (req.items.length > 1 && !req.dest.endsWith('/') && !destIsDir) {
    throw invalidArgument(`When using ${req.what} with more than one source file, the destination must be a directory and end with a /`);
  }
  const dirTimes: [string, Date, Date][] = [];
  const slice = timeSlicer();
  /** Makes the missing directories of `rel`, each new one owned by `owner`, the last by `leafOwner`. */
  const mkdirs = (rel: string, owner: Owner | undefined, leafOwner = owner): string => {
    const parts = rel.split('/').filter(Boolean);
    let host = rootfs;
    for (let i = 0; i < parts.length; i++) {
      host = resolveInRoot(rootfs, parts.slice(0, i + 1).join('/'));
      const st = lstatSync(host, { throwIfNoEntry: false });
      if (st?.isDirectory()) continue;
      if (st) throw invalidArgument(`cannot copy to ${'/' + parts.slice(0, i + 1).join('/')}: it is not a directory`);
      mkdirSync(host, 0o755);
      chmodSync(host, 0o755);
      const o = i === parts.length - 1 ? leafOwner : owner;
      if (o) lchownSync(host, o.uid, o.gid);
    }
    return host;
  };
  const place = (target: string, make: () => void) => {
    const st = lstatSync(target, { throwIfNoEntry: false });
    if (st) rmSync(target, { recursive: true, force: true });
    make();
  };

  for (const item of req.items) {
    if (item.kind === 'archive') {
      // Docker's builder unpacks as the archive says: --chown touches neither its files nor the
      // directories made to hold them.
      await req.unpack(item.path, mkdirs(destRel, undefined));
      continue;
    }
    if (item.kind === 'bytes') {
      const rel = destIsDir ? posix.join(destRel, item.name) : destRel;
      const parent = mkdirs(posix.dirname(rel) === '.' ? '' : posix.dirname(rel), req.chown);
      const target = `${parent}/${posix.basename(rel)}`;
      place(target, () => {
        if (Buffer.isBuffer(item.data)) writeFileSync(target, item.data, { mode: 0o600 });
        else copyNode(item.data.path, target, lstatSync(item.data.path));
      });
      lchownSync(target, req.chown?.uid ?? 0, req.chown?.gid ?? 0);
      chmodSync(target, req.chmod ?? item.mode);
      if (item.mtime) lutimesSync(target, item.mtime, item.mtime);
      continue;
    }
    const { node } = item;
    const top = node.entries[0]!;
    const intoDir = top.st.isDirectory();
    // The destination of the node itself: a directory's contents go straight into dest.
    const baseRel = intoDir ? destRel : destIsDir ? posix.join(destRel, posix.basename(node.path) || posix.basename(top.abs)) : destRel;
    const dirs = new Map<string, string>();
    for (const e of node.entries) {
      await slice();
      const rel = e.rel ? posix.join(baseRel, e.rel) : baseRel;
      const owner = req.chown ?? (item.keepOwner ? { uid: e.st.uid, gid: e.st.gid } : { uid: 0, gid: 0 });
      if (e.rel === '' && intoDir) {
        // A directory's copy: its parents are made root-owned, the directory receiving its
        // contents takes --chown when this makes it (dockerd 20.10's CopyWithTar, then the chown).
        dirs.set('', mkdirs(baseRel, undefined, req.chown));
        continue;
      }
      const parentRel = posix.dirname(e.rel);
      let parentHost = e.rel ? dirs.get(parentRel === '.' ? '' : parentRel) : undefined;
      if (parentHost === undefined) {
        const pr = posix.dirname(rel);
        parentHost = mkdirs(pr === '.' ? '' : pr, req.chown);
      }
      const target = `${parentHost}/${posix.basename(rel)}`;
      const existing = await lstatIfExists(target);
      if (e.st.isDirectory()) {
        if (existing?.isSymbolicLink()) {
          // A directory meeting a symlink in the image follows it, inside the rootfs.
          const resolved = resolveInRoot(rootfs, rel);
          if (lstatSync(resolved, { throwIfNoEntry: false })?.isDirectory()) {
            dirs.set(e.rel, resolved);
            continue;
          }
        }
        // A directory the image already has below the destination takes the copied one's mode,
        // owner and times too (dockerd's untar over it); only the destination itself is left as it is.
        if (!existing?.isDirectory()) place(target, () => mkdirSync(target, 0o700));
        lchownSync(target, owner.uid, owner.gid);
        chmodSync(target, req.chmod ?? e.st.mode & 0o7777);
        dirTimes.push([target, e.st.atime, e.st.mtime]);
        dirs.set(e.rel, target);
        continue;
      }
      if (existing) rmSync(target, { recursive: true, force: true });
      // Owner, mode and times on the thread pool, like the bytes: thousands of files' metadata
      // calls were the COPY's remaining time on the service's loop.
      await copyNodeAsync(e.abs, target, e.st);
      if (owner.uid !== e.st.uid || owner.gid !== e.st.gid) await lchown(target, owner.uid, owner.gid);
      if (!e.st.isSymbolicLink()) await chmod(target, req.chmod ?? (item.keepOwner && !req.chown ? e.st.mode & 0o7777 : chownedMode(e.st.mode)));
      await lutimes(target, e.st.atime, e.st.mtime);
    }
  }
  for (const [p, a, m] of dirTimes.reverse()) lutimesSync(p, a, m);
}
