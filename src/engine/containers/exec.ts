import { notImplemented } from '../../core/errdefs.js';
import type { ContainerContext } from './context.js';

/** Placeholder: being written. */
export async function execContainer(_cc: ContainerContext, ..._args: unknown[]): Promise<never> {
  throw notImplemented('exec is not implemented yet');
}
