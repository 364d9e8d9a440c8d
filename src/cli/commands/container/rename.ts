import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'rename'): void {
  const cmd = parent
    .command(name)
    .description('Rename a container')
    .argument('<CONTAINER>')
    .argument('<NEW_NAME>')
    .action(async (ref: string, newName: string) => {
      (await app.engine()).containers.rename(ref, newName);
    });
  examples(cmd, ['skiff rename web web-old']);
}
