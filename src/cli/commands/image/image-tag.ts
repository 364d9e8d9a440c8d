import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'tag'): void {
  const cmd = parent
    .command(name)
    .description('Add one or more names to a local image')
    .argument('<IMAGE>', 'source image')
    .argument('<TARGET_NAME...>', 'new names')
    .action(async (source: string, targets: string[]) => {
      (await app.engine()).images.tag(source, targets);
    });
  examples(cmd, ['skiff tag busybox myregistry:5000/tools/busybox:1.36']);
}
