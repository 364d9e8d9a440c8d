/**
 * What tar-stream leaves in pax headers: extended attributes, large ids and sub-second times.
 * tar-stream decodes every pax value as UTF-8, which corrupts binary xattr values such as
 * security.capability, so `capturePaxRecords` keeps the raw bytes of each local pax header.
 */
import type { Extract, Header } from 'tar-stream';

const SCHILY = 'SCHILY.xattr.';
const LIBARCHIVE = 'LIBARCHIVE.xattr.';

/** Parses "LEN KEY=VALUE\n" records, keeping values as bytes. */
export function parsePaxRecords(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < buf.length) {
    const sp = buf.indexOf(0x20, off);
    if (sp < 0) break;
    const len = parseInt(buf.toString('latin1', off, sp), 10);
    if (!(len > 0) || off + len > buf.length) break;
    const rec = buf.subarray(sp + 1, off + len - 1); // minus the trailing "\n"
    const eq = rec.indexOf(0x3d);
    if (eq > 0) out.set(rec.toString('utf8', 0, eq), rec.subarray(eq + 1));
    off += len;
  }
  return out;
}

/**
 * Hooks one extractor so that each entry's raw pax records can be read back with the
 * returned function. It relies on tar-stream 3's private `_decodeLongHeader`; if that is
 * gone, values fall back to tar-stream's decoded strings.
 */
export function capturePaxRecords(extract: Extract): () => Map<string, Buffer> | null {
  let pending: Map<string, Buffer> | null = null;
  const ex = extract as unknown as { _decodeLongHeader?: (buf: Buffer) => void; _header?: { type?: string } };
  const orig = ex._decodeLongHeader;
  if (typeof orig === 'function') {
    ex._decodeLongHeader = function (this: typeof ex, buf: Buffer) {
      if (this._header?.type === 'pax-header') pending = parsePaxRecords(buf);
      orig.call(this, buf);
    };
  }
  return () => {
    const p = pending;
    pending = null;
    return p;
  };
}

/** tar-stream's header, with the decoded pax records it attaches and the null type it gives unknown flags. */
export type TarHeader = Omit<Header, 'pax' | 'type' | 'linkname'> & {
  type: Header['type'] | 'pax-global-header' | null;
  linkname: string | null;
  pax?: Record<string, string> | null;
};

export interface PaxExtras {
  xattrs: Map<string, Buffer> | null;
  uid: number;
  gid: number;
  /** seconds, fractional */
  mtime: number;
  atime: number;
}

export function paxExtras(header: TarHeader, raw: Map<string, Buffer> | null): PaxExtras {
  const pax = header.pax;
  const mtime = header.mtime ? header.mtime.getTime() / 1000 : 0;
  if (!pax) return { xattrs: null, uid: header.uid ?? 0, gid: header.gid ?? 0, mtime, atime: mtime };
  let xattrs: Map<string, Buffer> | null = null;
  for (const key of Object.keys(pax)) {
    let name: string;
    let value: Buffer;
    if (key.startsWith(SCHILY)) {
      name = key.slice(SCHILY.length);
      value = raw?.get(key) ?? Buffer.from(pax[key]!, 'utf8');
    } else if (key.startsWith(LIBARCHIVE)) {
      name = decodeURIComponent(key.slice(LIBARCHIVE.length));
      if (xattrs?.has(name)) continue;
      value = Buffer.from(pax[key]!, 'base64');
    } else {
      continue;
    }
    (xattrs ??= new Map()).set(name, value);
  }
  const num = (k: string, dflt: number) => {
    const v = pax[k];
    if (v === undefined) return dflt;
    const n = Number(v);
    return Number.isFinite(n) ? n : dflt;
  };
  const m = num('mtime', mtime);
  return { xattrs, uid: num('uid', header.uid ?? 0), gid: num('gid', header.gid ?? 0), mtime: m, atime: num('atime', m) };
}
