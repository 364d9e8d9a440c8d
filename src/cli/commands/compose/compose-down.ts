import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { examples } from '../common.js';
import { addProjectFlags } from './group.js';
import { cliHooks, loadOrState } from './project.js';

interface Opts {
  volumes?: boolean;
  removeOrphans?: boolean;
  timeout?: string;
  rmi?: string;
}

export function register(parent: Command, app: App, name = 'down'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Stop and remove containers, networks')
    .option('-v, --volumes', 'remove named volumes declared in the "volumes" section and anonymous volumes attached to containers')
    .option('--remove-orphans', 'remove containers for services not defined in the Compose file')
    .option('-t, --timeout <seconds>', 'shutdown timeout in seconds')
    .option('--rmi <type>', 'remove images used by services: "local" (those without an image: key) or "all"')
    .action(async (o: Opts, self: Command) => {
      if (o.rmi !== undefined && o.rmi !== 'local' && o.rmi !== 'all') throw invalidArgument(`invalid --rmi "${o.rmi}": use local or all`);
      const loaded = await loadOrState(app, self);
      const engine = await app.engine({ timers: false });
      const { composeDown } = await import('../../../engine/compose/down.js');
      await composeDown(
        engine,
        loaded,
        {
          volumes: !!o.volumes,
          removeOrphans: !!o.removeOrphans,
          ...(o.timeout !== undefined ? { timeoutSec: Number(o.timeout) } : {}),
          ...(o.rmi ? { rmi: o.rmi as 'local' | 'all' } : {}),
        },
        cliHooks(app),
      );
    });
  examples(cmd, ['skiff compose down', 'skiff compose down -v --remove-orphans']);
}
