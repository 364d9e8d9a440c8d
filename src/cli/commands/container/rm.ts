import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, forEachRef } from '../common.js';

export function register(parent: Command, app: App, name = 'rm'): void {
  const cmd = parent
    .command(name)
    .description('Remove one or more containers')
    .argument('[CONTAINER...]')
    .option('-f, --force', 'force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'remove anonymous volumes associated with the container')
    .option('-a, --all', 'remove all containers')
    .option('-l, --link', 'remove the specified link (never the container)')
    .action(async (refs: string[], o: { force?: boolean; volumes?: boolean; all?: boolean; link?: boolean }) => {
      const engine = await app.engine();
      if (o.all) refs = (await engine.containers.list({ all: true })).map((c) => c.Id);
      else if (refs.length === 0) throw new Error('rm needs at least one container name or ID (or --all)');
      await forEachRef(app, refs, (r) => (o.link ? engine.containers.removeLink(r) : engine.containers.remove(r, { force: o.force, volumes: o.volumes })));
    });
  examples(cmd, ['skiff rm job', 'skiff rm -f web', 'skiff rm -a -f']);
}
