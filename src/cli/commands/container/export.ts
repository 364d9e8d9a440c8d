import type { Command } from 'commander';
import type { App } from '../../app.js';
import { notImplemented } from '../../../core/errdefs.js';

/** Placeholder: being written. */
export function register(parent: Command, _app: App, name = 'export'): void {
  parent
    .command(name)
    .description('export (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw notImplemented('export is not implemented yet');
    });
}
