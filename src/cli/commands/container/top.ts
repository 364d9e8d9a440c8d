import type { Command } from 'commander';
import type { App } from '../../app.js';
import { notImplemented } from '../../../core/errdefs.js';

/** Placeholder: being written. */
export function register(parent: Command, _app: App, name = 'top'): void {
  parent
    .command(name)
    .description('top (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw notImplemented('top is not implemented yet');
    });
}
