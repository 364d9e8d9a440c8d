import type { Command } from 'commander';
import type { App } from '../../app.js';

/** Run by conmon when a container exits: records the exit, unmounts, and honours --rm. */
export function register(parent: Command, app: App, name = 'cleanup'): void {
  parent
    .command(name, { hidden: true })
    .description('Clean up after an exited container (run by conmon)')
    .argument('<CONTAINER>')
    .action(async (ref: string) => {
      await (await app.engine()).containers.cleanup(ref);
    });
}
