import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, inspectEach } from '../common.js';

export function register(parent: Command, app: App, name = 'inspect'): void {
  const cmd = parent
    .command(name)
    .description('Display information on one or more pods')
    .argument('<POD...>')
    .option('-f, --format <format>', 'format the output using a Go template')
    .action(async (refs: string[], o: { format?: string }) => {
      const engine = await app.engine();
      await inspectEach(app, refs, o.format, (r) => engine.pods.inspect(r));
    });
  examples(cmd, ['skiff pod inspect web', "skiff pod inspect -f '{{.InfraContainerID}}' web"]);
}
