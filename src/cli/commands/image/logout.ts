import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';

export function register(parent: Command, app: App, name = 'logout'): void {
  const cmd = parent
    .command(name)
    .description('Remove stored credentials for a registry')
    .argument('[REGISTRY]', 'host[:port]')
    .option('-a, --all', 'remove the credentials of every registry')
    .option('--authfile <path>', 'credentials file (default: $REGISTRY_AUTH_FILE or podman\'s auth.json)')
    .action(async (registry: string | undefined, f: { all?: boolean; authfile?: string }) => {
      if (!registry && !f.all) throw invalidArgument('logout: name a registry or use --all');
      await (await app.engine()).images.logout(f.all ? undefined : registry, { authfile: f.authfile });
      app.print(f.all ? 'Removed login credentials for all registries' : `Removed login credentials for ${registry}`);
    });
  examples(cmd, ['skiff logout localhost:5000', 'skiff logout --all']);
}
