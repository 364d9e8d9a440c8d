import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, dockerSize } from '../common.js';

export function register(parent: Command, app: App, name = 'prune'): void {
  const cmd = parent
    .command(name)
    .description('Remove unused data: dangling images (all unused with -a), the build cache, unreferenced layers and blobs')
    .option('-a, --all', 'remove all unused images, not just dangling ones')
    .option('-f, --force', 'do not prompt for confirmation')
    .action(async (o: { all?: boolean }) => {
      const engine = await app.engine();
      const report = await engine.images.prune({ all: o.all });
      // Docker's system prune takes the build cache too.
      const cache = engine.builder.prune();
      const gc = engine.gc();
      for (const item of report.ImagesDeleted) {
        if ('Deleted' in item) app.print(`deleted: ${item.Deleted}`);
      }
      app.print(`Total reclaimed space: ${dockerSize(report.SpaceReclaimed + cache.bytesReclaimed + gc.bytesReclaimed)}`);
    });
  examples(cmd, ['skiff system prune -f', 'skiff system prune -a -f']);
}
