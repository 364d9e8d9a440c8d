import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'prune'): void {
  const cmd = parent
    .command(name)
    .description('Remove all stopped containers')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(async () => {
      const removed = await (await app.engine()).containers.prune();
      if (removed.length) app.print('Deleted Containers:');
      for (const id of removed) app.print(id);
      app.print('Total reclaimed space: 0B');
    });
  examples(cmd, ['skiff container prune -f']);
}
