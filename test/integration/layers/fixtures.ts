// Builders for layer tars and a recorder of directory trees, shared by the layer tests.
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type { TestContext } from 'node:test';
import { lgetxattr, llistxattr } from '../../../src/sys/linux/syscalls.js';
import { removeTree } from '../../helpers/env.js';

export interface Ent {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  linkname?: string;
  content?: string | Buffer;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
}

const T0 = new Date('2024-01-02T03:04:05Z');

/** An uncompressed tar holding `entries` in this order. */
export async function makeTar(entries: Ent[]): Promise<Buffer> {
  const p = pack();
  const out: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) out.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? (e.name.endsWith('/') ? 'directory' : 'file');
    const content = e.content === undefined ? undefined : Buffer.from(e.content);
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: e.mtime ?? T0,
      linkname: e.linkname,
      devmajor: e.devmajor ?? 0,
      devminor: e.devminor ?? 0,
      size: content?.length ?? 0,
      ...(e.pax ? { pax: e.pax } : {}),
    };
    await new Promise<void>((res, rej) => {
      if (content) p.entry(header, content, (err) => (err ? rej(err) : res()));
      else (p.entry(header, (err) => (err ? rej(err) : res())) as unknown as { end(): void }).end();
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(out);
}

/** A tar header block for `name` claiming `size` bytes (base-256 when it does not fit octal). */
export function rawHeader(name: string, opts: { size?: number; typeflag?: string; linkname?: string } = {}): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  const size = opts.size ?? 0;
  if (size < 8 ** 11) {
    b.write(size.toString(8).padStart(11, '0') + '\0', 124);
  } else {
    b[124] = 0x80;
    let n = size;
    for (let i = 135; i > 124; i--) {
      b[i] = n % 256;
      n = Math.floor(n / 256);
    }
  }
  b.write('14540000000\0', 136);
  b.write(opts.typeflag ?? '0', 156);
  if (opts.linkname) b.write(opts.linkname, 157, 100, 'utf8');
  b.write('ustar\0', 257);
  b.write('00', 263);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return b;
}

export function streamOf(buf: Buffer, chunk = 64 * 1024): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  return Readable.from(parts);
}

/** A fresh temp dir removed (and unmounted) when the test ends. */
export function tempDir(t: TestContext, prefix = 'skiff-layers-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => removeTree(dir));
  return dir;
}

function kind(st: ReturnType<typeof lstatSync>): string {
  if (!st) return '?';
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'chr';
  if (st.isBlockDevice()) return 'blk';
  if (st.isFIFO()) return 'fifo';
  return 'other';
}

/**
 * One line per path: type, mode, owner, content hash or link target or device number,
 * xattrs, file mtime and which other paths share its inode. Directory sizes and times are
 * left out: they depend on the filesystem and on when entries were written.
 */
export function recordTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const inodes = new Map<string, string[]>();
  const walk = (rel: string) => {
    const abs = rel === '' ? root : join(root, rel);
    const st = lstatSync(abs);
    const k = kind(st);
    const parts = [k, (st.mode & 0o7777).toString(8), `${st.uid}:${st.gid}`];
    if (k === 'file') {
      parts.push(createHash('sha256').update(readFileSync(abs)).digest('hex').slice(0, 16), String(st.mtimeMs));
      const key = String(st.ino);
      inodes.set(key, [...(inodes.get(key) ?? []), rel]);
    }
    if (k === 'symlink') parts.push(`-> ${readlinkSync(abs)}`);
    if (k === 'chr' || k === 'blk') parts.push(`dev ${st.rdev}`);
    const xattrs = llistxattr(abs)
      .filter((n) => !n.startsWith('trusted.overlay.') && !n.startsWith('security.'))
      .sort()
      .map((n) => `${n}=${lgetxattr(abs, n)?.toString('hex')}`);
    if (xattrs.length) parts.push(`xattrs ${xattrs.join(',')}`);
    out.set(rel || '.', parts.join(' '));
    if (k === 'dir') for (const name of readdirSync(abs).sort()) walk(rel === '' ? name : `${rel}/${name}`);
  };
  walk('');
  for (const group of inodes.values()) {
    if (group.length < 2) continue;
    for (const p of group) out.set(p, `${out.get(p)} links ${group.join('|')}`);
  }
  return out;
}
