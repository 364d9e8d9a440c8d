import type { Command } from 'commander';
import type { App } from '../../app.js';
import { ExitCodeError } from '../../../core/errdefs.js';
import { examples } from '../common.js';
import { addProjectFlags } from './group.js';
import { cliHooks, loadOrState } from './project.js';

/**
 * Blocks until the services' containers have stopped and exits with their status (the last
 * non-zero one); `--down-project` takes the project down once the first of them stops and
 * exits with that one's status.
 */
export function register(parent: Command, app: App, name = 'wait'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Block until containers of all (or specified) services stop')
    .argument('[service...]', 'only these services')
    .option('--down-project', 'drops the project when the first container stops')
    .action(async (services: string[], o: { downProject?: boolean }, self: Command) => {
      const loaded = await loadOrState(app, self);
      const engine = await app.engine({ timers: false });
      const { projectContainers } = await import('../../../engine/compose/state.js');
      const cs = (await projectContainers(engine, loaded.project.name)).filter((c) => !services.length || services.includes(c.service));
      const abort = new AbortController();
      const waits = cs.map((c) => engine.containers.wait(c.id, { signal: abort.signal }));
      let code = 0;
      if (o.downProject && waits.length) {
        code = await Promise.race(waits);
        abort.abort();
        await Promise.allSettled(waits);
        const { composeDown } = await import('../../../engine/compose/down.js');
        await composeDown(engine, loaded, { volumes: false, removeOrphans: false }, cliHooks(app));
      } else {
        code = (await Promise.all(waits)).filter((c) => c !== 0).at(-1) ?? 0;
      }
      if (code !== 0) throw new ExitCodeError(code);
    });
  examples(cmd, ['skiff compose wait job', 'skiff compose wait --down-project job']);
}
