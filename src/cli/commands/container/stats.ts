import type { Command } from 'commander';
import type { App } from '../../app.js';
import { notImplemented } from '../../../core/errdefs.js';

/** Placeholder: being written. */
export function register(parent: Command, _app: App, name = 'stats'): void {
  parent
    .command(name)
    .description('stats (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw notImplemented('stats is not implemented yet');
    });
}
