import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'prune'): void {
  const cmd = parent
    .command(name)
    .description('Remove all pods none of whose containers runs')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(async () => {
      for (const id of await (await app.engine()).pods.prune()) app.print(id);
    });
  examples(cmd, ['skiff pod prune -f']);
}
