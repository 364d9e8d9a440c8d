import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'disconnect'): void {
  const cmd = parent
    .command(name)
    .description('Disconnect a container from a network')
    .argument('<NETWORK>')
    .argument('<CONTAINER>')
    .option('-f, --force', 'accepted for Docker compatibility')
    .action(async (network: string, container: string) => {
      await (await app.engine()).networks.disconnect(network, container);
    });
  examples(cmd, ['skiff network disconnect backend pg']);
}
