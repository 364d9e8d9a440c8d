import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, forEachRef } from '../common.js';
import { cidfileRefs, ignoring } from './systemd-flags.js';

export function register(parent: Command, app: App, name = 'stop'): void {
  const cmd = parent
    .command(name)
    .description("Stop one or more running containers (the image's STOPSIGNAL, then SIGKILL after the timeout)")
    .argument('[CONTAINER...]')
    .option('-t, --time <seconds>', 'seconds to wait before killing the container')
    .option('--cidfile <file>', 'also the container whose ID the file holds')
    .option('-i, --ignore', 'ignore errors when a container does not exist')
    .action(async (refs: string[], o: { time?: string; cidfile?: string; ignore?: boolean }) => {
      const engine = await app.engine();
      refs = cidfileRefs(refs, o);
      if (refs.length === 0 && !o.ignore) throw new Error('stop needs at least one container name or ID (or --cidfile)');
      await forEachRef(app, refs, ignoring(o.ignore, (r) => engine.containers.stop(r, o.time === undefined ? undefined : Number(o.time))));
    });
  examples(cmd, ['skiff stop web', 'skiff stop -t 2 web worker']);
}
