import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, dockerSize } from '../common.js';

export function register(parent: Command, app: App, name = 'prune'): void {
  const cmd = parent
    .command(name)
    .description(
      'Remove unused data: stopped pods, stopped containers, unused networks, dangling images (all unused with -a), the build cache, unreferenced layers and blobs, and what interrupted commands left (see system check)',
    )
    .option('-a, --all', 'remove all unused images, not just dangling ones')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--volumes', 'also remove unused anonymous volumes')
    .action(async (o: { all?: boolean; volumes?: boolean }) => {
      const engine = await app.engine();
      const report = await engine.prune({ all: o.all, volumes: o.volumes });
      const section = (title: string, items: string[]) => {
        if (!items.length) return;
        app.print(title);
        for (const i of items) app.print(i);
        app.print('');
      };
      section('Deleted Pods:', report.pods);
      section('Deleted Containers:', report.containers);
      section('Deleted Networks:', report.networks);
      section('Deleted Volumes:', report.volumes);
      section(
        'Deleted Images:',
        report.images.ImagesDeleted.flatMap((item) => ('Deleted' in item ? [`deleted: ${item.Deleted}`] : [])),
      );
      app.print(`Total reclaimed space: ${dockerSize(report.bytesReclaimed)}`);
    });
  examples(cmd, ['skiff system prune -f', 'skiff system prune -a -f']);
}
