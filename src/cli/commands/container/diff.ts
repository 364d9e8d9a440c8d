import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

const LETTER = ['C', 'A', 'D'] as const;

export function register(parent: Command, app: App, name = 'diff'): void {
  const cmd = parent
    .command(name)
    .description("Inspect changes to files or directories on a container's filesystem")
    .argument('<CONTAINER>')
    .action(async (ref: string) => {
      const changes = await (await app.engine()).containers.changes(ref);
      app.out(changes.map((ch) => `${LETTER[ch.Kind]} ${ch.Path}\n`).join(''));
    });
  examples(cmd, ['skiff diff web']);
}
