import type { Command } from 'commander';
import type { App } from '../../app.js';
import { notImplemented } from '../../../core/errdefs.js';

/** Placeholder: being written. */
export function register(parent: Command, _app: App, name = 'cp'): void {
  parent
    .command(name)
    .description('cp (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw notImplemented('cp is not implemented yet');
    });
}
