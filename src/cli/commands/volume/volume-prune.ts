import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, dockerSize, examples } from '../common.js';
import { parseFilters } from '../../format/filters.js';

export function register(parent: Command, app: App, name = 'prune'): void {
  const cmd = parent
    .command(name)
    .description('Remove unused anonymous volumes (all unused volumes with --all)')
    .option('-a, --all', 'remove all unused volumes, not just anonymous ones')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'only volumes matching: label=..., label!=...', collect)
    .action(async (o: { all?: boolean; force?: boolean; filter?: string[] }) => {
      const filters = parseFilters(o.filter ?? []);
      const report = await (await app.engine()).volumes.prune({ all: !!o.all, filters });
      if (report.VolumesDeleted.length) {
        app.print('Deleted Volumes:');
        for (const n of report.VolumesDeleted) app.print(n);
        app.out('\n');
      }
      app.print(`Total reclaimed space: ${dockerSize(report.SpaceReclaimed)}`);
    });
  examples(cmd, ['skiff volume prune -f', 'skiff volume prune -a -f']);
}
