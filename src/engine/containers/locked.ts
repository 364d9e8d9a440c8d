import { notFound } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';
import { resolveContainer } from './resolve.js';
import { refreshContainer } from './sync.js';
import type { ContainerRecord } from './types.js';

/**
 * Runs a lifecycle verb holding the container's lock, with the row read again once the lock is
 * held: a verb that waited for another (an `rm` behind a `start`) acts on what that one left,
 * and fails with NotFound rather than acting on a row that is gone.
 */
export async function withContainer<T>(cc: ContainerContext, input: string, fn: (c: ContainerRecord) => Promise<T>): Promise<T> {
  const id = resolveContainer(cc, input).id;
  return cc.ctx.locks.with(
    'container',
    id,
    async () => {
      const row = cc.records.get(id);
      if (!row) throw notFound(`No such container: ${input}`);
      return fn(await refreshContainer(cc, row));
    },
    { what: `container ${id.slice(0, 12)}` },
  );
}

/** The lock only (the verb resolves and refreshes itself). */
export function lockedContainer<T>(cc: ContainerContext, id: string, fn: () => Promise<T>): Promise<T> {
  return cc.ctx.locks.with('container', id, fn, { what: `container ${id.slice(0, 12)}` });
}
