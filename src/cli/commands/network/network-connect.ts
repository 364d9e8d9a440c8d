import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';

export function register(parent: Command, app: App, name = 'connect'): void {
  const cmd = parent
    .command(name)
    .description('Connect a container to a network')
    .argument('<NETWORK>')
    .argument('<CONTAINER>')
    .option('--alias <alias>', 'network-scoped alias for the container', collect)
    .option('--ip <address>', 'IPv4 address')
    .option('--ip6 <address>', 'IPv6 address (on a network with IPv6)')
    .action(async (network: string, container: string, o: { alias?: string[]; ip?: string; ip6?: string }) => {
      await (await app.engine()).networks.connect(network, container, {
        ...(o.alias?.length ? { aliases: o.alias } : {}),
        ...(o.ip ? { ip: o.ip } : {}),
        ...(o.ip6 ? { ip6: o.ip6 } : {}),
      });
    });
  examples(cmd, ['skiff network connect --alias db backend pg']);
}
