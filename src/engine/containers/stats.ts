import { notImplemented } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';

/** Placeholder: being written. */
export async function statsContainer(_cc: ContainerContext, ..._args: unknown[]): Promise<never> {
  throw notImplemented('stats is not implemented yet');
}
