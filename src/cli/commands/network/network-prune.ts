import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { parseFilters } from '../../format/filters.js';

export function register(parent: Command, app: App, name = 'prune'): void {
  const cmd = parent
    .command(name)
    .description('Remove all networks not used by any container')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'only networks matching: until=TIMESTAMP|DURATION, label=..., label!=...', collect)
    .action(async (o: { filter?: string[] }) => {
      const removed = await (await app.engine()).networks.prune(parseFilters(o.filter ?? []));
      if (removed.length) app.print(`Deleted Networks:\n${removed.join('\n')}`);
    });
  examples(cmd, ['skiff network prune -f']);
}
