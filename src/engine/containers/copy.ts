import { notImplemented } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';

/** Placeholder: being written. */
export async function copyContainer(_cc: ContainerContext, ..._args: unknown[]): Promise<never> {
  throw notImplemented('copy is not implemented yet');
}
