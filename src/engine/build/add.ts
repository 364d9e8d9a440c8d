import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, openSync, readSync } from 'node:fs';
import { once } from 'node:events';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { invalidArgument, unavailable } from '../../core/errdefs.js';
import { applyTar } from '../../impl/layers/tar-apply.js';

type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

function compressionOf(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
  return 'none';
}

function isTarHeader(block: Buffer): boolean {
  if (block.length < 512) return false;
  if (block.subarray(257, 262).toString('latin1') === 'ustar') return true;
  // A v7 tar has no magic: its header checksum is what identifies it.
  const stored = parseInt(block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/g, '').trim(), 8);
  if (Number.isNaN(stored)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** The host tool that decompresses bzip2/xz (Node has none built in), as a stream. */
function tool(cmd: string, path: string): { stream: Readable; done: Promise<void> } {
  const p = spawn(cmd, ['-dc', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = (async () => {
    const [code] = (await once(p, 'close')) as [number | null];
    if (code !== 0) throw invalidArgument(`${cmd} -dc ${posix.basename(path)}: ${err.trim() || `exit ${code}`}`);
  })();
  p.on('error', () => undefined);
  return { stream: p.stdout, done };
}

function decompressedStream(path: string, c: Compression): { stream: Readable; done: Promise<void> } {
  if (c === 'bzip2') return tool('bzip2', path);
  if (c === 'xz') return tool('xz', path);
  // plain, gzip and zstd: applyTar recognises them itself.
  return { stream: createReadStream(path), done: Promise.resolve() };
}

/** Up to the first `n` bytes of `stream` (which is destroyed after), or undefined if it fails. */
async function leadingBytes(stream: Readable, n: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let len = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      len += chunk.length;
      if (len >= n) break;
    }
  } catch {
    return undefined;
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

/** ADD's test for "a local tar archive" (plain, gzip, bzip2, xz or zstd): by content, as Docker. */
export async function isArchive(path: string): Promise<boolean> {
  const head = readHead(path, 512);
  const c = compressionOf(head);
  if (c === 'none') return isTarHeader(head);
  // zstd is only ever a tar here (no one ADDs a lone .zst expecting it kept).
  if (c === 'zstd') return true;
  let stream: Readable;
  if (c === 'gzip') {
    stream = createReadStream(path).pipe(createGunzip());
  } else {
    const d = decompressedStream(path, c);
    // Reading stops after the first block, so the tool may well fail; that says nothing here.
    d.done.catch(() => undefined);
    stream = d.stream;
  }
  const first = await leadingBytes(stream, 512);
  return first !== undefined && isTarHeader(first);
}

/** Unpacks a local archive into a directory of the rootfs (refusing entries that would leave it). */
export async function unpackArchive(path: string, into: string): Promise<void> {
  const c = compressionOf(readHead(path, 8));
  const { stream, done } = decompressedStream(path, c);
  await Promise.all([applyTar(stream, into, { whiteouts: 'delete' }), done]);
}

export interface Download {
  path: string;
  digest: string;
  /** The file name the URL gives (its last path segment). */
  name: string;
  mtime?: Date;
}

/** ADD URL: fetched to `to`, its sha256 checked against `checksum` (`sha256:hex`) when given. */
export async function download(url: string, to: string, checksum: string | undefined, signal?: AbortSignal): Promise<Download> {
  if (checksum !== undefined && !/^sha256:[0-9a-f]{64}$/.test(checksum)) {
    throw invalidArgument(`invalid checksum ${checksum}: only sha256:<64 hex digits> is supported`);
  }
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', ...(signal ? { signal } : {}) });
  } catch (e) {
    throw unavailable(`ADD ${url}: ${(e as Error).message}`, e);
  }
  if (!res.ok || !res.body) throw unavailable(`ADD ${url}: HTTP ${res.status} ${res.statusText}`);
  const h = createHash('sha256');
  const out = createWriteStream(to, { mode: 0o600 });
  await pipeline(
    res.body as unknown as AsyncIterable<Uint8Array>,
    async function* (src: AsyncIterable<Uint8Array>) {
      for await (const chunk of src) {
        h.update(chunk);
        yield chunk;
      }
    },
    out,
  );
  const digest = 'sha256:' + h.digest('hex');
  if (checksum !== undefined && checksum !== digest) {
    throw invalidArgument(`ADD ${url}: digest mismatch: expected ${checksum}, got ${digest}`);
  }
  const lm = res.headers.get('last-modified');
  const mtime = lm ? new Date(lm) : undefined;
  const name = posix.basename(new URL(url).pathname) || '__unnamed__';
  return { path: to, digest, name, ...(mtime && !Number.isNaN(mtime.getTime()) ? { mtime } : {}) };
}
