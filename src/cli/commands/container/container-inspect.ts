import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, inspectEach } from '../common.js';

export function register(parent: Command, app: App, name = 'inspect'): void {
  const cmd = parent
    .command(name)
    .description('Display detailed information on one or more containers')
    .argument('<CONTAINER...>')
    .option('-f, --format <format>', 'format the output with a Go template')
    .option('-s, --size', 'display total file sizes')
    .action(async (refs: string[], o: { format?: string; size?: boolean }) => {
      const engine = await app.engine();
      await inspectEach(app, refs, o.format, (r) => engine.containers.inspect(r, { size: !!o.size }));
    });
  examples(cmd, ['skiff container inspect web', "skiff container inspect -f '{{.State.Status}}' web"]);
}
