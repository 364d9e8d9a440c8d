import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, forEachRef } from '../common.js';

export function register(parent: Command, app: App, name = 'kill'): void {
  const cmd = parent
    .command(name)
    .description('Kill one or more running containers with a signal')
    .argument('<CONTAINER...>')
    .option('-s, --signal <signal>', 'signal to send to the container', 'SIGKILL')
    .action(async (refs: string[], o: { signal: string }) => {
      const engine = await app.engine();
      await forEachRef(app, refs, (r) => engine.containers.kill(r, o.signal));
    });
  examples(cmd, ['skiff kill web', 'skiff kill -s HUP web']);
}
