import type { Command } from 'commander';
import type { App } from '../../app.js';
import { notImplemented } from '../../../core/errdefs.js';

/** Placeholder: being written. */
export function register(parent: Command, _app: App, name = 'commit'): void {
  parent
    .command(name)
    .description('commit (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw notImplemented('commit is not implemented yet');
    });
}
