import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { addProjectFlags } from './group.js';
import { cliHooks, loadFromFlags } from './project.js';

export function register(parent: Command, app: App, name = 'build'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Build or rebuild services')
    .argument('[service...]', 'only these services')
    .option('--no-cache', 'do not use cache when building the image')
    .option('--pull', 'always attempt to pull a newer version of the image')
    .action(async (services: string[], o: { cache: boolean; pull?: boolean }, self: Command) => {
      const loaded = await loadFromFlags(app, self);
      const { buildOptions, selectServices } = await import('../../../engine/compose/up.js');
      const { serviceImage } = await import('../../../engine/compose/service-input.js');
      const hooks = cliHooks(app);
      for (const s of selectServices(loaded, services, true)) {
        const svc = loaded.project.services[s]!;
        if (!svc.build) continue;
        const opts = buildOptions(svc.build, serviceImage(loaded.project.name, s, svc));
        await hooks.build(s, { ...opts, ...(o.cache ? {} : { noCache: true }), ...(o.pull ? { pull: 'always' as const } : {}) });
      }
    });
  examples(cmd, ['skiff compose build', 'skiff compose build --no-cache web']);
}
