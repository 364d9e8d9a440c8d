import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEngineError } from '../../core/errdefs.js';
import { TarReader } from './tar-reader.js';
import type { TarEntry } from './tar-reader.js';

interface H {
  name: string;
  type?: string;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  uname?: string;
  devmajor?: number;
  devminor?: number;
  prefix?: string;
  gnu?: boolean;
  /** Write these numeric fields in base-256. */
  base256?: ('size' | 'uid')[];
}

function octal(b: Buffer, off: number, len: number, n: number): void {
  b.write(n.toString(8).padStart(len - 1, '0') + '\0', off, 'latin1');
}

function base256(b: Buffer, off: number, len: number, n: number): void {
  b[off] = 0x80;
  for (let i = off + len - 1; i > off; i--) {
    b[i] = n % 256;
    n = Math.floor(n / 256);
  }
}

function header(h: H): Buffer {
  const b = Buffer.alloc(512);
  b.write(h.name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode ?? 0o644);
  if (h.base256?.includes('uid')) base256(b, 108, 8, h.uid ?? 0);
  else octal(b, 108, 8, h.uid ?? 0);
  octal(b, 116, 8, h.gid ?? 0);
  if (h.base256?.includes('size')) base256(b, 124, 12, h.size ?? 0);
  else octal(b, 124, 12, h.size ?? 0);
  octal(b, 136, 12, h.mtime ?? 1700000000);
  b.write(h.type ?? '0', 156, 'latin1');
  if (h.linkname) b.write(h.linkname, 157, 100, 'utf8');
  b.write(h.gnu ? 'ustar  \0' : 'ustar\u000000', 257, 'latin1');
  if (h.uname) b.write(h.uname, 265, 32);
  octal(b, 329, 8, h.devmajor ?? 0);
  octal(b, 337, 8, h.devminor ?? 0);
  if (h.prefix) b.write(h.prefix, 345, 155);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return b;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc(-data.length & 511)]);
}

function entry(h: H, data: Buffer | string = ''): Buffer {
  const d = Buffer.from(data);
  return Buffer.concat([header({ ...h, size: h.size ?? d.length }), padded(d)]);
}

function paxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len++;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

function pax(records: [string, Buffer | string][], type = 'x'): Buffer {
  return entry({ name: 'PaxHeader', type }, Buffer.concat(records.map(([k, v]) => paxRecord(k, v))));
}

const END = Buffer.alloc(1024);

interface Seen {
  entry: Omit<TarEntry, 'offset'>;
  data: string;
}

/** Feeds `tar` in chunks of the given sizes (cycled) and records what the sink saw. */
function read(tar: Buffer, sizes: number[] = [tar.length]): Seen[] {
  const out: Seen[] = [];
  let cur: Buffer[] | null = null;
  const r = new TarReader({
    begin(e) {
      assert.equal(cur, null, 'begin inside an entry');
      const { offset: _offset, ...rest } = e;
      out.push({ entry: rest, data: '' });
      cur = [];
    },
    data(buf, start, end) {
      assert.ok(cur, 'data outside an entry');
      assert.ok(end > start);
      cur.push(Buffer.from(buf.subarray(start, end)));
    },
    end() {
      assert.ok(cur, 'end outside an entry');
      out[out.length - 1]!.data = Buffer.concat(cur).toString('latin1');
      cur = null;
    },
  });
  let off = 0;
  for (let i = 0; off < tar.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    r.write(tar.subarray(off, off + n));
    off += n;
  }
  r.end();
  assert.equal(cur, null);
  return out;
}

function refuses(tar: Buffer, pattern: RegExp): void {
  assert.throws(
    () => read(tar),
    (e: unknown) => {
      assert.ok(isEngineError(e, 'InvalidArgument'), `want InvalidArgument, got ${String(e)}`);
      assert.match((e as Error).message, pattern);
      return true;
    },
  );
}

const big = Buffer.alloc(3000);
for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;

const SAMPLE = Buffer.concat([
  entry({ name: 'etc/', type: '5', mode: 0o755 }),
  entry({ name: 'etc/hosts', mode: 0o644, uid: 1000, gid: 100, uname: 'me' }, '127.0.0.1 localhost\n'),
  entry({ name: 'big' }, big),
  entry({ name: 'empty' }),
  entry({ name: 'bin/sh', type: '2', linkname: 'busybox' }),
  entry({ name: 'bin/ash', type: '1', linkname: 'bin/sh' }),
  entry({ name: 'dev/null', type: '3', devmajor: 1, devminor: 3, mode: 0o666 }),
  entry({ name: 'fifo', type: '6' }),
  entry({ name: 'x'.repeat(100), prefix: 'a/very/long/prefix' }, 'prefixed'),
  pax([['path', 'ünïcode/' + 'p'.repeat(200)], ['mtime', '1700000000.25'], ['uid', '4000000000']]),
  entry({ name: 'short' }, 'pax'),
  entry({ name: '././@LongLink', type: 'L', gnu: true }, 'gnu/' + 'n'.repeat(300) + '\0'),
  entry({ name: '././@LongLink', type: 'K', gnu: true }, 'gnu/' + 't'.repeat(150) + '\0'),
  entry({ name: 'trunc', type: '2', gnu: true }),
  END,
]);

test('reads ustar, pax and GNU entries with their metadata and data', () => {
  const seen = read(SAMPLE);
  assert.deepEqual(
    seen.map((s) => [s.entry.name, s.entry.type, s.data.length]),
    [
      ['etc/', 'directory', 0],
      ['etc/hosts', 'file', 20],
      ['big', 'file', 3000],
      ['empty', 'file', 0],
      ['bin/sh', 'symlink', 0],
      ['bin/ash', 'link', 0],
      ['dev/null', 'character-device', 0],
      ['fifo', 'fifo', 0],
      ['a/very/long/prefix/' + 'x'.repeat(100), 'file', 8],
      ['ünïcode/' + 'p'.repeat(200), 'file', 3],
      ['gnu/' + 'n'.repeat(300), 'symlink', 0],
    ],
  );
  const hosts = seen[1]!.entry;
  assert.deepEqual([hosts.mode, hosts.uid, hosts.gid, hosts.uname, hosts.mtime, hosts.atime], [0o644, 1000, 100, 'me', 1700000000, 1700000000]);
  assert.equal(seen[1]!.data, '127.0.0.1 localhost\n');
  assert.ok(Buffer.from(seen[2]!.data, 'latin1').equals(big));
  assert.equal(seen[4]!.entry.linkname, 'busybox');
  assert.deepEqual([seen[6]!.entry.devmajor, seen[6]!.entry.devminor, seen[6]!.entry.mode], [1, 3, 0o666]);
  const p = seen[9]!.entry;
  assert.deepEqual([p.mtime, p.atime, p.uid], [1700000000.25, 1700000000.25, 4000000000]);
  assert.equal(seen[10]!.entry.linkname, 'gnu/' + 't'.repeat(150));
  // Long names apply to one entry only.
  assert.equal(seen[3]!.entry.linkname, '');
});

test('the same tar gives the same entries however it is chunked', () => {
  const want = read(SAMPLE);
  assert.deepEqual(read(SAMPLE, [1]), want);
  assert.deepEqual(read(SAMPLE, [7]), want);
  assert.deepEqual(read(SAMPLE, [512]), want);
  assert.deepEqual(read(SAMPLE, [511, 513, 1]), want);
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 1500;
  for (let i = 0; i < 5; i++) assert.deepEqual(read(SAMPLE, Array.from({ length: 64 }, rand)), want);
});

test('pax: binary xattrs stay raw; SCHILY wins over LIBARCHIVE; size, linkpath, names', () => {
  const bin = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0x0a, 0x80, 0x3d, 0x00]);
  const tar = Buffer.concat([
    pax([
      ['SCHILY.xattr.security.capability', bin],
      ['LIBARCHIVE.xattr.security.capability', Buffer.from('other').toString('base64')],
      ['LIBARCHIVE.xattr.user.%C3%A9t%C3%A9', Buffer.from('summer').toString('base64')],
      ['linkpath', 'target/' + 'l'.repeat(120)],
      ['uname', 'ünämé'],
      ['gname', 'grp'],
      ['atime', '1600000000.5'],
      ['comment', 'ignored'],
    ]),
    entry({ name: 'cap', type: '2' }),
    pax([['size', '5']]),
    // The ustar size field says 0; the pax size is what counts.
    header({ name: 'sized', size: 0 }),
    padded(Buffer.from('12345')),
    END,
  ]);
  const [cap, sized] = read(tar);
  assert.deepEqual(cap!.entry.xattrs, new Map([['security.capability', bin], ['user.été', Buffer.from('summer')]]));
  assert.equal(cap!.entry.linkname, 'target/' + 'l'.repeat(120));
  assert.deepEqual([cap!.entry.uname, cap!.entry.gname, cap!.entry.atime], ['ünämé', 'grp', 1600000000.5]);
  assert.equal(sized!.data, '12345');
  assert.equal(sized!.entry.xattrs, null);
});

test('pax global headers are checked and ignored, as Docker does', () => {
  const tar = Buffer.concat([pax([['comment', 'git commit'], ['uid', '7']], 'g'), entry({ name: 'f' }, 'x'), END]);
  const [f] = read(tar);
  assert.deepEqual([f!.entry.name, f!.entry.uid], ['f', 0]);
  refuses(Buffer.concat([pax([['uid', 'seven']], 'g'), entry({ name: 'f' }), END]), /bad uid "seven"/);
});

test('malformed pax records are refused', () => {
  const bad = (body: string) => Buffer.concat([entry({ name: 'PaxHeader', type: 'x' }, body), entry({ name: 'f' }), END]);
  refuses(bad('13 path=abc\n'), /bad record at byte 0 in the pax header at offset 0/);
  refuses(bad('9 path=abc'), /bad record/);
  refuses(bad('x path=a\n'), /bad record/);
  refuses(bad('7 =abc\n'), /bad record/);
  refuses(bad('13 mtime=1e9\n'), /bad mtime "1e9"/);
  refuses(bad('11 size=-1\n'), /bad size "-1"/);
});

test('base-256 numeric fields', () => {
  const tar = Buffer.concat([
    header({ name: 'f', size: 5, uid: 3_000_000, base256: ['size', 'uid'] }),
    padded(Buffer.from('hello')),
    END,
  ]);
  const [f] = read(tar);
  assert.deepEqual([f!.entry.size, f!.entry.uid, f!.data], [5, 3_000_000, 'hello']);
  // 2^40 bytes: accepted by the reader, which only refuses what it cannot represent.
  const huge = header({ name: 'huge', size: 2 ** 40, base256: ['size'] });
  const r = new TarReader({ begin: (e) => assert.equal(e.size, 2 ** 40), data: () => undefined, end: () => undefined });
  r.write(huge);
  const overflow = header({ name: 'o', size: 0 });
  overflow.fill(0xff, 125, 136);
  overflow[124] = 0x80;
  fixChecksum(overflow);
  refuses(Buffer.concat([overflow, END]), /size field out of range at offset 0/);
});

function fixChecksum(b: Buffer): void {
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
}

test('bad checksums, unknown formats and bad numbers are refused with the offset', () => {
  const tar = Buffer.from(SAMPLE);
  tar[512 + 5] ^= 0x20; // second header's name
  refuses(tar, /layer tar is malformed: bad header checksum at offset 512$/);
  const v7 = header({ name: 'old' });
  v7.fill(0, 257, 265);
  fixChecksum(v7);
  refuses(Buffer.concat([v7, END]), /not a ustar or GNU tar header at offset 0/);
  const mode = header({ name: 'm' });
  mode.write('07x4', 100, 'latin1');
  fixChecksum(mode);
  refuses(Buffer.concat([entry({ name: 'ok' }, 'y'), mode, END]), /bad mode field at offset 1024/);
  refuses(Buffer.alloc(2048, 0x41), /bad checksum field at offset 0/);
});

test('a header with a signed checksum (old tars) is accepted', () => {
  const h = header({ name: 'é' });
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of h) sum += (x << 24) >> 24;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  assert.equal(read(Buffer.concat([h, END]))[0]!.entry.name, 'é');
});

test('truncated input is refused wherever it stops', () => {
  const tar = Buffer.concat([entry({ name: 'a' }, 'x'.repeat(700)), pax([['path', 'long']]), entry({ name: 'b' }, 'y'), END]);
  // Inside the header, inside the data, inside the padding, inside the pax data, between pax and its entry.
  for (const cut of [100, 512 + 300, 512 + 1000, 1536 + 512 + 10, 1536 + 1024]) {
    refuses(tar.subarray(0, cut), /layer tar is truncated at offset \d+/);
  }
  refuses(tar.subarray(0, 600), /truncated at offset 600 inside entry "a"/);
  // Stopping at an entry boundary without the end blocks is accepted, as GNU tar and Docker do.
  assert.equal(read(tar.subarray(0, 1536)).length, 1);
});

test('two zero blocks end the archive; what follows is ignored', () => {
  const one = entry({ name: 'f' }, 'data');
  assert.equal(read(Buffer.concat([one, END, Buffer.from('trailing garbage')])).length, 1);
  assert.equal(read(Buffer.concat([one, END, one])).length, 1);
  // One zero block then the end of input is a short but acceptable trailer.
  assert.equal(read(Buffer.concat([one, Buffer.alloc(512)])).length, 1);
  refuses(Buffer.concat([one, Buffer.alloc(512), one, END]), /header after a zero block at offset 1536/);
  refuses(Buffer.concat([pax([['path', 'p']]), END]), /extended header without an entry at offset 1024/);
});

test('data arrives as views of the input, not copies', () => {
  const tar = Buffer.concat([entry({ name: 'f' }, 'abc'), END]);
  let got: Buffer | null = null;
  const r = new TarReader({ begin: () => undefined, data: (b) => (got = b), end: () => undefined });
  r.write(tar);
  assert.equal(got, tar);
});

test('archives written by GNU tar (gnu and posix formats) read back intact', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-reader-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, 'src');
  const deep = join(src, 'd'.repeat(90), 'e'.repeat(90));
  mkdirSync(deep, { recursive: true });
  const files = new Map<string, Buffer>([
    [`${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(120)}`, Buffer.alloc(70_000, 5)],
    ['small', Buffer.from('s')],
    ['ünïcødé', Buffer.from('u')],
  ]);
  for (const [name, data] of files) writeFileSync(join(src, name), data);
  for (const format of ['gnu', 'posix']) {
    const tarPath = join(dir, `${format}.tar`);
    execFileSync('tar', [`--format=${format}`, '-C', src, '-cf', tarPath, '.']);
    const tar = readFileSync(tarPath);
    for (const sizes of [[tar.length], [4096], [1], [333]]) {
      const seen = read(tar, sizes);
      for (const [name, data] of files) {
        const e = seen.find((s) => s.entry.name === `./${name}`);
        assert.ok(e, `${format}: ${name}`);
        assert.ok(Buffer.from(e.data, 'latin1').equals(data), `${format}: ${name} data`);
      }
    }
  }
});
