import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'rmi'): void {
  const cmd = parent
    .command(name)
    .description('Remove one or more images from local storage')
    .argument('[IMAGE...]')
    .option('-f, --force', 'remove even when several names or a container use the image')
    .option('-a, --all', 'remove all images')
    .option('--no-prune', 'do not delete untagged parents')
    .action(async (refs: string[], o: { force?: boolean; all?: boolean; prune: boolean }) => {
      const engine = await app.engine();
      if (o.all) refs = (await engine.images.list()).map((i) => i.Id);
      else if (refs.length === 0) throw new Error('rmi needs at least one image name or ID (or --all)');
      let failed: unknown;
      for (const r of refs) {
        try {
          for (const item of engine.images.remove(r, { force: o.force, noPrune: !o.prune })) {
            app.print('Untagged' in item ? `Untagged: ${item.Untagged}` : `Deleted: ${item.Deleted}`);
          }
        } catch (e) {
          if (failed) app.err(`Error: ${(failed as Error).message}\n`);
          failed = e;
        }
      }
      if (failed) throw failed;
    });
  examples(cmd, ['skiff rmi busybox', 'skiff rmi -f 3f57d9401f8d', 'skiff rmi --all']);
}
