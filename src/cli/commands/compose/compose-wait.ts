import type { Command } from 'commander';
import type { App } from '../../app.js';
import { ExitCodeError, notFound } from '../../../core/errdefs.js';
import { examples } from '../common.js';
import { addProjectFlags } from './group.js';
import { cliHooks, loadOrState } from './project.js';

/**
 * Docker Compose v2's wait: every container of the services (one-offs too) waited on at once,
 * a line as each exits, then the exit status of the last one to exit; `--down-project` takes
 * the project down (orphans too) once they all have.
 */
export function register(parent: Command, app: App, name = 'wait'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Block until containers of all (or specified) services stop')
    .argument('<service...>')
    .option('--down-project', 'drops the project when the containers have stopped')
    .action(async (services: string[], o: { downProject?: boolean }, self: Command) => {
      const loaded = await loadOrState(app, self);
      const engine = await app.engine({ timers: false });
      const { projectContainers } = await import('../../../engine/compose/state.js');
      const cs = (await projectContainers(engine, loaded.project.name, { oneoff: true })).filter((c) => services.includes(c.service));
      if (!cs.length) throw notFound(`no containers for project "${loaded.project.name}"`);
      let code = 0;
      await Promise.all(
        cs.map(async (c) => {
          code = await engine.containers.wait(c.id);
          app.print(`container "${c.id}" exited with status code ${code}`);
        }),
      );
      if (o.downProject) {
        const { composeDown } = await import('../../../engine/compose/down.js');
        await composeDown(engine, loaded, { removeOrphans: true }, cliHooks(app));
      }
      if (code !== 0) throw new ExitCodeError(code);
    });
  examples(cmd, ['skiff compose wait job', 'skiff compose wait --down-project job']);
}
