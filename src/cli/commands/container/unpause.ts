import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, forEachRef } from '../common.js';

export function register(parent: Command, app: App, name = 'unpause'): void {
  const cmd = parent
    .command(name)
    .description('Unpause all processes within one or more containers')
    .argument('<CONTAINER...>')
    .action(async (refs: string[]) => {
      const engine = await app.engine();
      await forEachRef(app, refs, (r) => engine.containers.unpause(r));
    });
  examples(cmd, ['skiff unpause web']);
}
