import type { Command } from 'commander';
import type { App } from '../../app.js';
import { notImplemented } from '../../../core/errdefs.js';

/** Placeholder: being written. */
export function register(parent: Command, _app: App, name = 'exec'): void {
  parent
    .command(name)
    .description('exec (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw notImplemented('exec is not implemented yet');
    });
}
