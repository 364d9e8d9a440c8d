import type { Command } from 'commander';
import type { App } from '../../app.js';
import { rmSync } from 'node:fs';
import { examples, forEachRef } from '../common.js';
import { cidfileRefs, ignoring } from './systemd-flags.js';

export function register(parent: Command, app: App, name = 'rm'): void {
  const cmd = parent
    .command(name)
    .description('Remove one or more containers')
    .argument('[CONTAINER...]')
    .option('-f, --force', 'force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'remove anonymous volumes associated with the container')
    .option('-a, --all', 'remove all containers')
    .option('-l, --link', 'remove the specified link (never the container)')
    .option('--cidfile <file>', 'also the container whose ID the file holds (the file is removed with it)')
    .option('-i, --ignore', 'ignore errors when a container does not exist')
    .action(async (refs: string[], o: { force?: boolean; volumes?: boolean; all?: boolean; link?: boolean; cidfile?: string; ignore?: boolean }) => {
      const engine = await app.engine();
      if (o.all) {
        // Infra containers go with their pods (as Podman's `rm -a`): every pod with --force, the
        // pods none of whose containers runs without; a pod left keeps its infra container.
        const pods = await engine.pods.list();
        for (const p of pods) {
          await engine.pods.remove(p.Id, { force: !!o.force }).catch(() => undefined);
        }
        const infra = new Set(pods.map((p) => p.InfraId));
        refs = (await engine.containers.list({ all: true })).map((c) => c.Id).filter((id) => !infra.has(id));
      }
      else refs = cidfileRefs(refs, o);
      if (refs.length === 0 && !o.all && !o.ignore) throw new Error('rm needs at least one container name or ID (or --all)');
      await forEachRef(
        app,
        refs,
        ignoring(o.ignore, (r) => (o.link ? engine.containers.removeLink(r) : engine.containers.remove(r, { force: o.force, volumes: o.volumes }))),
      );
      if (o.cidfile) rmSync(o.cidfile, { force: true });
    });
  examples(cmd, ['skiff rm job', 'skiff rm -f web', 'skiff rm -a -f']);
}
