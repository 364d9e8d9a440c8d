import { failedPrecondition } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';
import { layerChanges } from './layer-changes.js';
import { resolveContainer } from './resolve.js';

/** Docker's /containers/{id}/changes item: Kind 0 modified, 1 added, 2 deleted. */
export interface ContainerChange {
  Path: string;
  Kind: 0 | 1 | 2;
}

const KIND = { C: 0, A: 1, D: 2 } as const;

/** `diff`: what the container's writable layer adds, changes and deletes, in path order. */
export async function changesContainer(cc: ContainerContext, ref: string): Promise<ContainerChange[]> {
  const c = resolveContainer(cc, ref);
  if (!c.layerId) throw failedPrecondition(`container ${c.id.slice(0, 12)} has no writable layer`);
  return (await layerChanges(cc, c)).changes
    .map((ch) => ({ Path: '/' + ch.path, Kind: KIND[ch.kind] }))
    .sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}
