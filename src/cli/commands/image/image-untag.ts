import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'untag'): void {
  const cmd = parent
    .command(name)
    .description('Remove names from a local image (all of them when none is given)')
    .argument('<IMAGE>')
    .argument('[NAME...]')
    .action(async (source: string, names: string[]) => {
      (await app.engine()).images.untag(source, names);
    });
  examples(cmd, ['skiff untag busybox', 'skiff untag 3f57d9401f8d busybox:old']);
}
