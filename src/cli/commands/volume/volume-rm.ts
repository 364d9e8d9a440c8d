import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, forEachRef } from '../common.js';

export function register(parent: Command, app: App, name = 'rm'): void {
  const cmd = parent
    .command(name)
    .description('Remove one or more volumes (not while a container uses them)')
    .argument('<VOLUME...>')
    .option('-f, --force', 'ignore missing volumes; remove volumes that only stopped containers use')
    .action(async (names: string[], o: { force?: boolean }) => {
      const engine = await app.engine();
      await forEachRef(app, names, async (n) => engine.volumes.remove(n, { force: o.force }));
    });
  examples(cmd, ['skiff volume rm data', 'skiff volume rm -f data cache']);
}
