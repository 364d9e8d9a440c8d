import { conflict, notFound } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';
import type { ContainerRecord } from './types.js';

/** By full ID, name (with or without Docker's leading "/"), or unambiguous ID prefix. */
export function resolveContainer(cc: ContainerContext, input: string): ContainerRecord {
  const name = input.startsWith('/') ? input.slice(1) : input;
  const byName = cc.records.idByName(name);
  const id = byName ?? (/^[a-f0-9]{1,64}$/.test(input) ? prefixMatch(cc, input) : undefined);
  const rec = id ? cc.records.get(id) : undefined;
  if (!rec) throw notFound(`No such container: ${input}`);
  return rec;
}

function prefixMatch(cc: ContainerContext, prefix: string): string | undefined {
  const ids = cc.records.idsByPrefix(prefix);
  if (ids.length > 1) throw conflict(`multiple containers match ID prefix ${prefix}`);
  return ids[0];
}
