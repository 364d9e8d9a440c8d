import { notImplemented } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';

/** Placeholder: being written. */
export async function changesContainer(_cc: ContainerContext, ..._args: unknown[]): Promise<never> {
  throw notImplemented('changes is not implemented yet');
}
