/**
 * `image tree` (podman's): an image's layers bottom-up, each with its size and the images
 * whose top layer it is; with `whatRequires`, the layers other images stack on its top layer.
 * A layer is shown by its chain ID, the same for the same stack on any machine (and podman's
 * own ID for a base layer), rather than skiff's random storage ID.
 */
import type { ImageRecord } from '../../impl/metadata/records.js';
import type { EngineContext } from '../context.js';
import type { ImageTree, ImageTreeLayer } from './copy-types.js';
import { imageRecord } from './read.js';
import { resolveImage } from './resolve.js';

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
const label = (img: ImageRecord) => (img.names.length ? img.names : [short(img.id)]);

export function imageTree(ctx: EngineContext, ref: string, opts: { whatRequires?: boolean } = {}): ImageTree {
  const img = imageRecord(ctx, resolveImage(ctx.records, ref).id);
  const images = ctx.records.images();
  const topOf = new Map<string, string[]>();
  for (const i of images) if (i.topLayer) topOf.set(i.topLayer, [...(topOf.get(i.topLayer) ?? []), ...label(i)]);
  const node = (id: string): ImageTreeLayer => {
    const l = ctx.records.layer(id);
    return { id: short(l?.chainId ?? id), size: l?.uncompressedSize ?? 0, topOf: topOf.get(id) ?? [] };
  };
  const own = ctx.records.imageLayerIds(img.id);
  const tree: ImageTree = { id: short(img.id), tags: img.names, size: img.size, layers: [] };
  if (!opts.whatRequires) {
    tree.layers = own.map(node);
    return tree;
  }
  const top = own.at(-1);
  if (!top) return tree;
  // Parent → child edges of every layer some image uses, to walk up from this image's top.
  const children = new Map<string, Set<string>>();
  for (const i of images) {
    const ids = ctx.records.imageLayerIds(i.id);
    for (let k = 1; k < ids.length; k++) {
      const set = children.get(ids[k - 1]!) ?? new Set<string>();
      set.add(ids[k]!);
      children.set(ids[k - 1]!, set);
    }
  }
  const created = (id: string) => ctx.records.layer(id)?.created ?? 0;
  const above = (id: string) => [...(children.get(id) ?? [])].sort((x, y) => created(x) - created(y) || x.localeCompare(y));
  const grow = (id: string): ImageTreeLayer => ({ ...node(id), children: above(id).map(grow) });
  // Podman lists the top layer and then, beside it, each layer stacked on it (their own children nested).
  tree.layers = [node(top), ...above(top).map(grow)];
  return tree;
}
