import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, dockerSize, examples } from '../common.js';
import { parseFilters } from '../../format/filters.js';

export function register(parent: Command, app: App, name = 'prune'): void {
  const cmd = parent
    .command(name)
    .description('Remove build cache')
    .option('-a, --all', 'remove all build cache (the default here: every entry is unused between builds)')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'only entries matching: until=DURATION|TIMESTAMP (last used before), id=REGEXP, type=, description=, inuse, shared, private', collect)
    .action(async (o: { filter?: string[] }) => {
      const report = (await app.engine()).builder.prune({ filters: parseFilters(o.filter ?? []) });
      for (const k of report.removed) app.print(k);
      app.print(`Total reclaimed space: ${dockerSize(report.bytesReclaimed)}`);
    });
  examples(cmd, ['skiff builder prune -f', 'skiff builder prune --filter until=24h']);
}
