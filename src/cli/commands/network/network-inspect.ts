import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, inspectEach } from '../common.js';

export function register(parent: Command, app: App, name = 'inspect'): void {
  const cmd = parent
    .command(name)
    .description('Display detailed information on one or more networks')
    .argument('<NETWORK...>')
    .option('-f, --format <format>', 'format the output with a Go template')
    .action(async (refs: string[], o: { format?: string }) => {
      const engine = await app.engine();
      await inspectEach(app, refs, o.format, async (r) => engine.networks.inspect(r));
    });
  examples(cmd, ['skiff network inspect skiff', "skiff network inspect -f '{{range .IPAM.Config}}{{.Subnet}}{{end}}' web"]);
}
