import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, forEachRef } from '../common.js';

export function register(parent: Command, app: App, name = 'restart'): void {
  const cmd = parent
    .command(name)
    .description('Restart one or more containers')
    .argument('<CONTAINER...>')
    .option('-t, --time <seconds>', 'seconds to wait for stop before killing the container')
    .action(async (refs: string[], o: { time?: string }) => {
      const engine = await app.engine();
      await forEachRef(app, refs, (r) => engine.containers.restart(r, o.time === undefined ? undefined : Number(o.time)));
    });
  examples(cmd, ['skiff restart web']);
}
