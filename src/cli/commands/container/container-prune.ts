import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, dockerSize, examples } from '../common.js';
import { parseFilters } from '../../format/filters.js';

export function register(parent: Command, app: App, name = 'prune'): void {
  const cmd = parent
    .command(name)
    .description('Remove all stopped containers')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'only containers matching: until=TIMESTAMP|DURATION, label=..., label!=...', collect)
    .action(async (o: { filter?: string[] }) => {
      const report = await (await app.engine()).containers.prune(parseFilters(o.filter ?? []));
      if (report.ContainersDeleted.length) app.print('Deleted Containers:');
      for (const id of report.ContainersDeleted) app.print(id);
      app.print(`Total reclaimed space: ${dockerSize(report.SpaceReclaimed)}`);
    });
  examples(cmd, ['skiff container prune -f', 'skiff container prune -f --filter until=24h --filter label!=keep']);
}
