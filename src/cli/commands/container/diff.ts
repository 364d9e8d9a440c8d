import type { Command } from 'commander';
import type { App } from '../../app.js';
import { notImplemented } from '../../../core/errdefs.js';

/** Placeholder: being written. */
export function register(parent: Command, _app: App, name = 'diff'): void {
  parent
    .command(name)
    .description('diff (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw notImplemented('diff is not implemented yet');
    });
}
