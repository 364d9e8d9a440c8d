// A small reader of uncompressed tar archives (ustar, GNU long names, pax path/linkpath/size),
// for tests that look inside what `save` or a layer blob holds.

export interface TarRecord {
  path: string;
  /** The tar type flag: '0' file, '5' directory, '2' symlink, '1' hard link, ... */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkname: string;
  data: Buffer;
}

function str(b: Buffer, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function num(b: Buffer, off: number, len: number): number {
  // GNU base-256 for large values: the high bit of the first byte set.
  if (b[off]! & 0x80) {
    let v = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i]!;
    return v;
  }
  const s = str(b, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < data.length) {
    const sp = data.indexOf(0x20, off);
    if (sp < 0) break;
    const len = Number(data.subarray(off, sp).toString());
    if (!(len > 0)) break;
    const rec = data.subarray(sp + 1, off + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    off += len;
  }
  return out;
}

export function readTarEntries(tar: Buffer): TarRecord[] {
  const out: TarRecord[] = [];
  let off = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((c) => c === 0)) break;
    const type = String.fromCharCode(h[156]!) === '\0' ? '0' : String.fromCharCode(h[156]!);
    let size = num(h, 124, 12);
    if (pax.size !== undefined) size = Number(pax.size);
    const data = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') longName = str(data, 0, data.length);
    else if (type === 'K') longLink = str(data, 0, data.length);
    else if (type === 'x') pax = { ...pax, ...paxRecords(data) };
    else if (type === 'g') continue;
    else {
      const prefix = str(h, 345, 155);
      const name = str(h, 0, 100);
      out.push({
        path: pax.path ?? longName ?? (prefix ? `${prefix}/${name}` : name),
        type,
        mode: num(h, 100, 8),
        uid: pax.uid !== undefined ? Number(pax.uid) : num(h, 108, 8),
        gid: pax.gid !== undefined ? Number(pax.gid) : num(h, 116, 8),
        size,
        linkname: pax.linkpath ?? longLink ?? str(h, 157, 100),
        data: Buffer.from(data),
      });
      longName = undefined;
      longLink = undefined;
      pax = {};
    }
  }
  return out;
}
