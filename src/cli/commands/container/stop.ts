import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, forEachRef } from '../common.js';

export function register(parent: Command, app: App, name = 'stop'): void {
  const cmd = parent
    .command(name)
    .description("Stop one or more running containers (the image's STOPSIGNAL, then SIGKILL after the timeout)")
    .argument('<CONTAINER...>')
    .option('-t, --time <seconds>', 'seconds to wait before killing the container')
    .action(async (refs: string[], o: { time?: string }) => {
      const engine = await app.engine();
      await forEachRef(app, refs, (r) => engine.containers.stop(r, o.time === undefined ? undefined : Number(o.time)));
    });
  examples(cmd, ['skiff stop web', 'skiff stop -t 2 web worker']);
}
