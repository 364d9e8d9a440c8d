import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { progressRenderer } from '../image/transfer-progress.js';
import { addProjectFlags } from './group.js';
import { loadFromFlags } from './project.js';

interface Opts {
  ignorePullFailures?: boolean;
  quiet?: boolean;
}

export function register(parent: Command, app: App, name = 'pull'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Pull service images')
    .argument('[service...]', 'only these services')
    .option('--ignore-pull-failures', 'pull what it can and ignore images with pull failures')
    .option('-q, --quiet', 'pull without printing progress information')
    .action(async (services: string[], o: Opts, self: Command) => {
      const loaded = await loadFromFlags(app, self);
      const engine = await app.engine({ timers: false });
      const { selectServices } = await import('../../../engine/compose/up.js');
      // Each image once, for the platform its (first) service names.
      const images = new Map<string, string | undefined>();
      for (const s of selectServices(loaded, services, true)) {
        const svc = loaded.project.services[s]!;
        // A service that only builds has nothing to pull.
        if (svc.image && !images.has(svc.image)) images.set(svc.image, typeof svc.platform === 'string' ? svc.platform : undefined);
      }
      for (const [image, platform] of images) {
        try {
          await engine.images.pull(image, platform ? { platform } : {}, o.quiet ? undefined : progressRenderer(app.err, !!process.stderr.isTTY));
        } catch (e) {
          if (!o.ignorePullFailures) throw e;
          app.err(`WARN[0000] pulling ${image}: ${(e as Error).message}\n`);
        }
      }
    });
  examples(cmd, ['skiff compose pull', 'skiff compose pull --ignore-pull-failures web']);
}
