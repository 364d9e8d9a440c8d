import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, forEachRef } from '../common.js';

export function register(parent: Command, app: App, name = 'rm'): void {
  const cmd = parent
    .command(name)
    .description('Remove one or more networks')
    .argument('<NETWORK...>')
    .option('-f, --force', 'remove the containers that use the network too')
    .action(async (refs: string[], o: { force?: boolean }) => {
      const engine = await app.engine();
      await forEachRef(app, refs, (r) => engine.networks.remove(r, { force: !!o.force }));
    });
  examples(cmd, ['skiff network rm web']);
}
