import { notImplemented } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';

/** Placeholder: being written. */
export async function commitContainer(_cc: ContainerContext, ..._args: unknown[]): Promise<never> {
  throw notImplemented('commit is not implemented yet');
}
