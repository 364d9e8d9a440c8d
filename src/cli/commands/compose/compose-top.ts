import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { tabwrite } from '../../format/tabwriter.js';
import { addProjectFlags } from './group.js';
import { loadOrState } from './project.js';

export function register(parent: Command, app: App, name = 'top'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Display the running processes')
    .argument('[service...]', 'only these services')
    .action(async (services: string[], _o: unknown, self: Command) => {
      const loaded = await loadOrState(app, self);
      const engine = await app.engine({ timers: false });
      const { projectContainers } = await import('../../../engine/compose/state.js');
      const cs = (await projectContainers(engine, loaded.project.name))
        .filter((c) => c.state === 'running' && (!services.length || services.includes(c.service)))
        .sort((a, b) => a.name.localeCompare(b.name));
      // Docker Compose v2: each container's name, its `ps -ef` table (tabwriter 4, 1, 2), a blank line.
      for (const c of cs) {
        const top = await engine.containers.top(c.id);
        const table = [top.Titles, ...top.Processes].map((r) => r.join('\t') + '\n').join('');
        app.out(`${c.name}\n${tabwrite(table, { minwidth: 4, padding: 2, padchar: ' ' })}\n`);
      }
    });
  examples(cmd, ['skiff compose top', 'skiff compose top web']);
}
