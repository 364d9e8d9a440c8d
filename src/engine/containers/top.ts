import { notImplemented } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';

/** Placeholder: being written. */
export async function topContainer(_cc: ContainerContext, ..._args: unknown[]): Promise<never> {
  throw notImplemented('top is not implemented yet');
}
