// What an image built for the fidelity tests holds, read from a `save` archive: its history
// (empty_layer flags), its layer count, and its filesystem with the layers applied in order
// (whiteouts honoured), each node as kind, mode, owner, size and content digest.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readTarEntries, type TarRecord } from '../../helpers/tar-entries.js';

export interface FileNode {
  /** `d 0755 0:0`, `f 0600 1:1 7 3b1c...` (size and sha256 prefix), `l 0777 0:0 -> target`. */
  desc: string;
  content: string;
}

export interface ImageSnapshot {
  /** empty_layer of each history entry, in order. */
  emptyLayers: boolean[];
  createdBy: string[];
  layers: number;
  files: Map<string, FileNode>;
}

function norm(p: string): string {
  return '/' + p.replace(/^\.?\/+/, '').replace(/\/+$/, '');
}

function describe(e: TarRecord): FileNode {
  const mode = (e.mode & 0o7777).toString(8).padStart(4, '0');
  const owner = `${e.uid}:${e.gid}`;
  if (e.type === '5') return { desc: `d ${mode} ${owner}`, content: '' };
  if (e.type === '2') return { desc: `l ${owner} -> ${e.linkname}`, content: '' };
  if (e.type === '1') return { desc: `h ${owner} -> ${norm(e.linkname)}`, content: '' };
  const digest = createHash('sha256').update(e.data).digest('hex').slice(0, 12);
  return { desc: `${e.type === '0' ? 'f' : e.type} ${mode} ${owner} ${e.size} ${digest}`, content: e.data.toString('utf8') };
}

/** Reads a docker-archive (`docker save` / `skiff save`). */
export function snapshotArchive(archive: string): ImageSnapshot {
  const entries = new Map(readTarEntries(readFileSync(archive)).map((e) => [e.path.replace(/^\.\//, ''), e]));
  const file = (p: string) => {
    const e = entries.get(p);
    if (!e) throw new Error(`${archive} has no ${p}`);
    return e.data;
  };
  const manifest = (JSON.parse(file('manifest.json').toString()) as { Config: string; Layers: string[] }[])[0]!;
  const config = JSON.parse(file(manifest.Config).toString()) as { history?: { empty_layer?: boolean; created_by?: string }[]; rootfs: { diff_ids: string[] } };
  const files = new Map<string, FileNode>();
  for (const layerPath of manifest.Layers) {
    let blob = file(layerPath);
    if (blob[0] === 0x1f && blob[1] === 0x8b) blob = gunzipSync(blob);
    for (const e of readTarEntries(blob)) {
      const p = norm(e.path);
      const base = p.slice(p.lastIndexOf('/') + 1);
      const dir = p.slice(0, p.lastIndexOf('/')) || '/';
      if (base.startsWith('.wh.')) {
        const opaque = base === '.wh..wh..opq';
        const target = opaque ? dir : `${dir === '/' ? '' : dir}/${base.slice(4)}`;
        for (const k of [...files.keys()]) if (k.startsWith(`${target}/`) || (!opaque && k === target)) files.delete(k);
        continue;
      }
      if (p === '/') continue;
      files.set(p, describe(e));
    }
  }
  return {
    emptyLayers: (config.history ?? []).map((h) => !!h.empty_layer),
    createdBy: (config.history ?? []).map((h) => h.created_by ?? ''),
    layers: config.rootfs.diff_ids.length,
    files,
  };
}

/** The nodes at or below any of `prefixes`, as `path desc` lines, sorted. */
export function filesUnder(s: ImageSnapshot, prefixes: string[]): string[] {
  return [...s.files]
    .filter(([p]) => prefixes.some((x) => p === x || p.startsWith(`${x}/`)))
    .map(([p, n]) => `${p} ${n.desc}`)
    .sort();
}
