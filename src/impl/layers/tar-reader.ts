/**
 * A streaming tar parser (ustar, GNU and pax) that hands entries to a synchronous sink.
 *
 * Unpacking a layer is dominated by per-entry costs, so this does as little per entry as it
 * can: headers are decoded straight out of the input chunk (only a header split across two
 * chunks is copied), file data goes to the sink as views of the input chunk, and nothing
 * waits on a promise inside a chunk. Backpressure belongs to whoever feeds `write`.
 *
 * Strict where laxness would hide corruption: every header's checksum is verified, numeric
 * fields must be well-formed, input that stops inside a header, long name or data is refused,
 * and a zero block must be followed by another (or by the end of input). After the two zero
 * blocks that end an archive, further input is ignored, as Docker and containerd do.
 * pax global headers ('g') are checked and then ignored, also as Docker and containerd do,
 * so that one layer unpacks to the same tree everywhere.
 */
import { invalidArgument } from '../../core/errdefs.js';
import { parsePax } from './pax.js';
import type { PaxRecords } from './pax.js';

export type EntryType =
  | 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo' | 'contiguous-file' | 'unknown';

export interface TarEntry {
  name: string;
  type: EntryType;
  /** The typeflag as written, for messages about types this reader does not know. */
  typeflag: string;
  /** Permission bits and setuid/setgid/sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  size: number;
  /** seconds since the epoch, fractional when a pax header says so */
  mtime: number;
  atime: number;
  /** '' when the header has none */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** SCHILY.xattr.* (or LIBARCHIVE.xattr.*) from the pax header, as raw bytes */
  xattrs: Map<string, Buffer> | null;
  /** Stream offset of the entry's own header block. */
  offset: number;
}

/**
 * Receives entries in order: `begin`, then `data` with the entry's bytes as one or more
 * ranges `buf[start, end)` of the input (no copies; only valid during the call), then
 * `end`. Throwing stops the reader.
 */
export interface TarSink {
  begin(entry: TarEntry): void;
  data(buf: Buffer, start: number, end: number): void;
  end(): void;
}

const BLOCK = 512;
/** Largest pax or GNU long-name header accepted, against memory exhaustion. */
const MAX_LONG_HEADER = 4 * 1024 * 1024;

const HEADER = 0;
const DATA = 1;
const SKIP = 2;
const LONG = 3;
const DONE = 4;
type State = typeof HEADER | typeof DATA | typeof SKIP | typeof LONG | typeof DONE;

const TYPES: EntryType[] = new Array<EntryType>(256).fill('unknown');
TYPES[0x00] = TYPES[0x30] = 'file';
TYPES[0x31] = 'link';
TYPES[0x32] = 'symlink';
TYPES[0x33] = 'character-device';
TYPES[0x34] = 'block-device';
TYPES[0x35] = 'directory';
TYPES[0x36] = 'fifo';
TYPES[0x37] = 'contiguous-file';
const PAX = 0x78; // 'x'
const PAX_GLOBAL = 0x67; // 'g'
const GNU_LONG_NAME = 0x4c; // 'L'
const GNU_LONG_LINK = 0x4b; // 'K'

function malformed(what: string, at: number): Error {
  return invalidArgument(`layer tar is malformed: ${what} at offset ${at}`);
}

/** A NUL-terminated string field. */
function str(b: Buffer, o: number, len: number): string {
  let e = o;
  const end = o + len;
  while (e < end && b[e] !== 0) e++;
  return e === o ? '' : b.toString('utf8', o, e);
}

/**
 * A numeric field: octal digits, optionally led by spaces or NULs and ended by a space or
 * NUL; or, with the top bit of the first byte set, a big-endian base-256 number (GNU), used
 * for sizes over 8 GiB and ids over 2097151.
 */
function num(b: Buffer, o: number, len: number, field: string, at: number): number {
  const first = b[o]!;
  if (first & 0x80) {
    if (first !== 0x80 && first !== 0xff) throw malformed(`bad ${field} field`, at);
    const neg = first === 0xff;
    let n = 0;
    for (let i = 1; i < len; i++) n = n * 256 + (neg ? 0xff - b[o + i]! : b[o + i]!);
    if (!Number.isSafeInteger(n)) throw malformed(`${field} field out of range`, at);
    return neg ? -n - 1 : n;
  }
  const end = o + len;
  let i = o;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  let n = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + (c - 0x30);
  }
  for (; i < end; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0) throw malformed(`bad ${field} field`, at);
  }
  return n;
}

function isMagic(b: Buffer, o: number, m0: number, m1: number, m2: number): boolean {
  return b[o + 257] === 0x75 && b[o + 258] === 0x73 && b[o + 259] === 0x74 && b[o + 260] === 0x61 &&
    b[o + 261] === 0x72 && b[o + 262] === m0 && b[o + 263] === m1 && b[o + 264] === m2;
}

export class TarReader {
  private readonly sink: TarSink;
  private state: State = HEADER;
  /** Stream offset of the first byte of the chunk being written. */
  private pos = 0;
  private readonly hdr = Buffer.alloc(BLOCK);
  private readonly hdrWords = new Uint32Array(this.hdr.buffer, this.hdr.byteOffset, BLOCK / 4);
  /** The chunk being written as 32-bit words, when it is aligned (for checksums). */
  private words: Uint32Array | null = null;
  private hdrFill = 0;
  /** Bytes left in the current data, skipped or long-header region. */
  private left = 0;
  /** Padding after the current region. */
  private pad = 0;
  private zeroSeen = false;
  private long: Buffer | null = null;
  private longType = 0;
  private longAt = 0;
  private longName: string | null = null;
  private longLink: string | null = null;
  private pax: PaxRecords | null = null;
  private current: TarEntry | null = null;

  constructor(sink: TarSink) {
    this.sink = sink;
  }

  write(chunk: Buffer): void {
    const len = chunk.length;
    this.words = (chunk.byteOffset & 3) === 0 ? new Uint32Array(chunk.buffer, chunk.byteOffset, len >>> 2) : null;
    let off = 0;
    while (off < len) {
      const avail = len - off;
      switch (this.state) {
        case HEADER:
          if (this.hdrFill === 0 && avail >= BLOCK) {
            off += BLOCK;
            this.header(chunk, off - BLOCK, this.pos + off - BLOCK, this.words);
          } else {
            const n = Math.min(BLOCK - this.hdrFill, avail);
            chunk.copy(this.hdr, this.hdrFill, off, off + n);
            this.hdrFill += n;
            off += n;
            if (this.hdrFill === BLOCK) {
              this.hdrFill = 0;
              this.header(this.hdr, 0, this.pos + off - BLOCK, this.hdrWords);
            }
          }
          break;
        case DATA: {
          const n = avail < this.left ? avail : this.left;
          this.sink.data(chunk, off, off + n);
          off += n;
          this.left -= n;
          if (this.left === 0) this.endEntry();
          break;
        }
        case SKIP: {
          const n = avail < this.left ? avail : this.left;
          off += n;
          this.left -= n;
          if (this.left === 0) this.state = HEADER;
          break;
        }
        case LONG: {
          const long = this.long!;
          const n = avail < this.left ? avail : this.left;
          chunk.copy(long, long.length - this.left, off, off + n);
          off += n;
          this.left -= n;
          if (this.left === 0) this.longDone();
          break;
        }
        case DONE:
          off = len;
          break;
      }
    }
    this.pos += len;
    this.words = null;
  }

  /** Call at the end of input: refuses an archive that stops short. */
  end(): void {
    if (this.state === DONE) return;
    if (this.state === HEADER && this.hdrFill === 0 && !this.pending()) return;
    const inside = this.current ? ` inside entry ${JSON.stringify(this.current.name)}` : '';
    throw invalidArgument(`layer tar is truncated at offset ${this.pos}${inside}`);
  }

  private pending(): boolean {
    return this.longName !== null || this.longLink !== null || this.pax !== null;
  }

  private header(b: Buffer, o: number, at: number, words: Uint32Array | null): void {
    const sum = words !== null && (o & 3) === 0 ? wordSum(words, o >>> 2) : byteSum(b, o);
    if (sum === 256) {
      this.zeroBlock(at);
      return;
    }
    if (this.zeroSeen) throw malformed('header after a zero block', at);
    const stored = num(b, o + 148, 8, 'checksum', at);
    if (stored !== sum && stored !== signedSum(b, o)) throw malformed('bad header checksum', at);

    const ustar = isMagic(b, o, 0, 0x30, 0x30);
    if (!ustar && !isMagic(b, o, 0x20, 0x20, 0)) throw malformed('not a ustar or GNU tar header', at);
    const flag = b[o + 156]!;
    const size = num(b, o + 124, 12, 'size', at);
    if (size < 0) throw malformed('negative size', at);

    if (flag === PAX || flag === PAX_GLOBAL || flag === GNU_LONG_NAME || flag === GNU_LONG_LINK) {
      if (size > MAX_LONG_HEADER) throw malformed(`extended header of ${size} bytes`, at);
      this.longType = flag;
      this.longAt = at;
      this.long = Buffer.allocUnsafe(size);
      this.left = size;
      this.pad = -size & (BLOCK - 1);
      this.state = LONG;
      if (size === 0) this.longDone();
      return;
    }

    let name = this.longName ?? str(b, o, 100);
    if (this.longName === null && ustar && b[o + 345] !== 0) name = str(b, o + 345, 155) + '/' + name;
    let linkname = this.longLink ?? (b[o + 157] === 0 ? '' : str(b, o + 157, 100));
    const mtime = num(b, o + 136, 12, 'mtime', at);
    const type = TYPES[flag]!;
    const dev = type === 'character-device' || type === 'block-device';
    const e: TarEntry = {
      name,
      type,
      typeflag: String.fromCharCode(flag),
      mode: num(b, o + 100, 8, 'mode', at) & 0o7777,
      uid: num(b, o + 108, 8, 'uid', at),
      gid: num(b, o + 116, 8, 'gid', at),
      uname: str(b, o + 265, 32),
      gname: str(b, o + 297, 32),
      size,
      mtime,
      atime: mtime,
      linkname,
      devmajor: dev ? num(b, o + 329, 8, 'devmajor', at) : 0,
      devminor: dev ? num(b, o + 337, 8, 'devminor', at) : 0,
      xattrs: null,
      offset: at,
    };
    const pax = this.pax;
    if (pax) {
      if (pax.sparse) throw malformed(`entry ${JSON.stringify(pax.path ?? name)} is a GNU sparse file, which is not supported`, at);
      if (pax.path) e.name = name = pax.path;
      if (pax.linkpath) e.linkname = linkname = pax.linkpath;
      if (pax.size !== undefined) e.size = pax.size;
      if (pax.uid !== undefined) e.uid = pax.uid;
      if (pax.gid !== undefined) e.gid = pax.gid;
      if (pax.uname !== undefined) e.uname = pax.uname;
      if (pax.gname !== undefined) e.gname = pax.gname;
      if (pax.mtime !== undefined) e.mtime = e.atime = pax.mtime;
      if (pax.atime !== undefined) e.atime = pax.atime;
      if (pax.xattrs) e.xattrs = pax.xattrs;
    }
    this.longName = this.longLink = this.pax = null;
    // Old tars mark directories only with a trailing slash.
    if (type === 'file' && name.charCodeAt(name.length - 1) === 0x2f) e.type = 'directory';
    // Only files carry data, whatever the size field of others says (as Go's archive/tar reads them).
    if (e.type !== 'file' && e.type !== 'contiguous-file' && e.type !== 'unknown') e.size = 0;

    this.current = e;
    this.sink.begin(e);
    if (e.size === 0) {
      this.pad = 0;
      this.endEntry();
    } else {
      this.left = e.size;
      this.pad = -e.size & (BLOCK - 1);
      this.state = DATA;
    }
  }

  private endEntry(): void {
    this.state = this.pad > 0 ? SKIP : HEADER;
    this.left = this.pad;
    this.current = null;
    this.sink.end();
  }

  private zeroBlock(at: number): void {
    if (this.pending()) throw malformed('extended header without an entry', at);
    if (this.zeroSeen) this.state = DONE;
    this.zeroSeen = true;
  }

  private longDone(): void {
    const buf = this.long!;
    this.long = null;
    this.state = this.pad > 0 ? SKIP : HEADER;
    this.left = this.pad;
    switch (this.longType) {
      case PAX:
        this.pax = parsePax(buf, this.longAt);
        break;
      case PAX_GLOBAL:
        parsePax(buf, this.longAt);
        break;
      case GNU_LONG_NAME:
        this.longName = str(buf, 0, buf.length);
        break;
      case GNU_LONG_LINK:
        this.longLink = str(buf, 0, buf.length);
        break;
    }
  }
}

/** The header checksum, which counts its own field as spaces (8 * 0x20). */
function byteSum(b: Buffer, o: number): number {
  let sum = 256;
  for (let i = o; i < o + 148; i++) sum += b[i]!;
  for (let i = o + 156; i < o + BLOCK; i++) sum += b[i]!;
  return sum;
}

/**
 * byteSum over an aligned block, two bytes of each word at a time in 16-bit lanes that
 * cannot overflow (126 words * 255): about three times faster.
 */
function wordSum(w: Uint32Array, at: number): number {
  let lo = 0;
  let hi = 0;
  for (let i = at; i < at + 37; i++) {
    const x = w[i]!;
    lo += x & 0x00ff00ff;
    hi += (x >>> 8) & 0x00ff00ff;
  }
  for (let i = at + 39; i < at + BLOCK / 4; i++) {
    const x = w[i]!;
    lo += x & 0x00ff00ff;
    hi += (x >>> 8) & 0x00ff00ff;
  }
  return 256 + (lo & 0xffff) + (lo >>> 16) + (hi & 0xffff) + (hi >>> 16);
}

/** Some old tars summed the header as signed bytes. */
function signedSum(b: Buffer, o: number): number {
  let sum = 256;
  for (let i = o; i < o + BLOCK; i++) {
    if (i >= o + 148 && i < o + 156) continue;
    sum += (b[i]! << 24) >> 24;
  }
  return sum;
}
