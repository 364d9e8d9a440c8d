import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../app.js';

/** Run by conmon when a container exits: records the exit, unmounts, and honours --rm. */
export function register(parent: Command, app: App, name = 'cleanup'): void {
  parent
    .command(name, { hidden: true })
    .description('Clean up after an exited container (run by conmon)')
    .argument('<CONTAINER>')
    .action(async (ref: string) => {
      // conmon passes --root. A root removed while the container stopped (its owner deleted the
      // whole tree) has nothing left to clean: opening the engine would make it again, empty.
      const root = app.globals().root;
      if (root && !existsSync(join(root, 'skiff.db'))) return;
      await (await app.engine()).containers.cleanup(ref);
    });
}
