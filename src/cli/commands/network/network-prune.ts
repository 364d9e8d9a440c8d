import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'prune'): void {
  const cmd = parent
    .command(name)
    .description('Remove all networks not used by any container')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(async () => {
      const removed = await (await app.engine()).networks.prune();
      if (removed.length) app.print(`Deleted Networks:\n${removed.join('\n')}`);
    });
  examples(cmd, ['skiff network prune -f']);
}
