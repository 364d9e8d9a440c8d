import type { Command } from 'commander';
import type { App } from '../../app.js';
import { notImplemented } from '../../../core/errdefs.js';

/** Placeholder: being written. */
export function register(parent: Command, _app: App, name = 'port'): void {
  parent
    .command(name)
    .description('port (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw notImplemented('port is not implemented yet');
    });
}
