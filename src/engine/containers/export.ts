import { notImplemented } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';

/** Placeholder: being written. */
export async function exportContainer(_cc: ContainerContext, ..._args: unknown[]): Promise<never> {
  throw notImplemented('export is not implemented yet');
}
