import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { keyValues } from './key-values.js';

interface Opts {
  driver: string;
  label?: string[];
  opt?: string[];
}

export function register(parent: Command, app: App, name = 'create'): void {
  const cmd = parent
    .command(name)
    .description('Create a volume (a random name when none is given)')
    .argument('[VOLUME]')
    .option('-d, --driver <name>', 'volume driver (only "local")', 'local')
    .option('--label <key=value>', 'set metadata for a volume', collect)
    .option('-o, --opt <key=value>', 'driver specific options', collect)
    // Creating a volume that exists already succeeds anyway (docker's behaviour); Podman's flag is accepted.
    .option('--ignore', 'do nothing if the volume exists')
    .action(async (volume: string | undefined, o: Opts) => {
      const engine = await app.engine();
      const v = await engine.volumes.create({
        ...(volume !== undefined ? { name: volume } : {}),
        driver: o.driver,
        labels: keyValues(o.label, '--label', false),
        options: keyValues(o.opt, '--opt', true),
      });
      app.print(v.Name);
    });
  examples(cmd, ['skiff volume create data', 'skiff volume create --label project=web cache']);
}
