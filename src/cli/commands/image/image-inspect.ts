import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, inspectEach } from '../common.js';

export function register(parent: Command, app: App, name = 'inspect'): void {
  const cmd = parent
    .command(name)
    .description('Display the configuration of one or more images')
    .argument('<IMAGE...>')
    .option('-f, --format <format>', 'format the output with a Go template')
    .action(async (refs: string[], o: { format?: string }) => {
      const engine = await app.engine();
      await inspectEach(app, refs, o.format, (r) => engine.images.inspect(r));
    });
  examples(cmd, ['skiff image inspect busybox', "skiff image inspect --format '{{.Id}} {{.Size}}' busybox"]);
}
