import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples, dockerSize } from '../common.js';
import { parseFilters } from '../../format/filters.js';

export function register(parent: Command, app: App, name = 'prune'): void {
  const cmd = parent
    .command(name)
    .description('Remove unused images (dangling ones unless --all), then unreferenced layers and blobs')
    .option('-a, --all', 'remove all images no container uses, not just dangling ones')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'only images matching: until=TIMESTAMP|DURATION, label=..., label!=..., dangling=true|false', collect)
    .action(async (o: { all?: boolean; force?: boolean; filter?: string[] }) => {
      const filters = parseFilters(o.filter ?? []);
      const report = await (await app.engine()).images.prune({ all: o.all, filters });
      if (report.ImagesDeleted.length) app.print('Deleted Images:');
      for (const item of report.ImagesDeleted) {
        app.print('Untagged' in item ? `untagged: ${item.Untagged}` : `deleted: ${item.Deleted}`);
      }
      app.print(`Total reclaimed space: ${dockerSize(report.SpaceReclaimed)}`);
    });
  examples(cmd, ['skiff image prune', 'skiff image prune -a -f']);
}
