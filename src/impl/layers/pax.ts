/**
 * pax extended header records ("LEN KEY=VALUE\n"): the ones that change how an entry is
 * unpacked. xattr values stay raw bytes, since values such as security.capability are binary.
 */
import { invalidArgument } from '../../core/errdefs.js';

const SCHILY = 'SCHILY.xattr.';
const LIBARCHIVE = 'LIBARCHIVE.xattr.';
const GNU_SPARSE = 'GNU.sparse.';

export interface PaxRecords {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** seconds, fractional */
  mtime?: number;
  atime?: number;
  xattrs?: Map<string, Buffer>;
  /** GNU sparse data maps, which this reader does not expand. */
  sparse?: boolean;
}

const INT_RE = /^\d+$/;
const TIME_RE = /^-?\d+(?:\.\d+)?$/;

function malformed(what: string, at: number): Error {
  return invalidArgument(`layer tar is malformed: ${what} in the pax header at offset ${at}`);
}

function int(key: string, v: string, at: number): number {
  const n = INT_RE.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw malformed(`bad ${key} ${JSON.stringify(v)}`, at);
  return n;
}

function time(key: string, v: string, at: number): number {
  if (!TIME_RE.test(v)) throw malformed(`bad ${key} ${JSON.stringify(v)}`, at);
  return Number(v);
}

/** Parses the records of one pax header whose block starts at stream offset `at`. */
export function parsePax(buf: Buffer, at: number): PaxRecords {
  const out: PaxRecords = {};
  let libarchive: Map<string, Buffer> | null = null;
  let off = 0;
  while (off < buf.length) {
    let len = 0;
    let p = off;
    for (; p < buf.length && p - off < 12; p++) {
      const c = buf[p]!;
      if (c === 0x20) break;
      if (c < 0x30 || c > 0x39) break;
      len = len * 10 + (c - 0x30);
    }
    if (p === off || buf[p] !== 0x20 || len <= p - off + 1 || off + len > buf.length || buf[off + len - 1] !== 0x0a) {
      throw malformed(`bad record at byte ${off}`, at);
    }
    const end = off + len - 1;
    const eq = buf.indexOf(0x3d, p + 1);
    if (eq <= p + 1 || eq >= end) throw malformed(`bad record at byte ${off}`, at);
    const key = buf.toString('utf8', p + 1, eq);
    const raw = buf.subarray(eq + 1, end);
    switch (key) {
      case 'path':
        out.path = raw.toString('utf8');
        break;
      case 'linkpath':
        out.linkpath = raw.toString('utf8');
        break;
      case 'uname':
        out.uname = raw.toString('utf8');
        break;
      case 'gname':
        out.gname = raw.toString('utf8');
        break;
      case 'size':
      case 'uid':
      case 'gid':
        out[key] = int(key, raw.toString('latin1'), at);
        break;
      case 'mtime':
      case 'atime':
        out[key] = time(key, raw.toString('latin1'), at);
        break;
      default:
        if (key.startsWith(SCHILY)) {
          (out.xattrs ??= new Map()).set(key.slice(SCHILY.length), raw);
        } else if (key.startsWith(LIBARCHIVE)) {
          let name: string;
          try {
            name = decodeURIComponent(key.slice(LIBARCHIVE.length));
          } catch {
            throw malformed(`bad xattr name ${JSON.stringify(key)}`, at);
          }
          (libarchive ??= new Map()).set(name, Buffer.from(raw.toString('latin1'), 'base64'));
        } else if (key.startsWith(GNU_SPARSE)) {
          out.sparse = true;
        }
    }
    off += len;
  }
  // bsdtar writes both spellings; the SCHILY one is the raw value and wins.
  if (libarchive) {
    const x = (out.xattrs ??= new Map());
    for (const [k, v] of libarchive) if (!x.has(k)) x.set(k, v);
  }
  return out;
}
