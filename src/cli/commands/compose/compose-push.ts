import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { progressRenderer } from '../image/transfer-progress.js';
import { addProjectFlags } from './group.js';
import { loadFromFlags } from './project.js';

interface Opts {
  ignorePushFailures?: boolean;
  includeDeps?: boolean;
  quiet?: boolean;
}

/** The engine's push of each service's image and `build.tags`, for the services that build and name one (Docker Compose v2 skips the others). */
export function register(parent: Command, app: App, name = 'push'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Push service images')
    .argument('[service...]', 'only these services')
    .option('--ignore-push-failures', 'push what it can and ignore images with push failures')
    .option('--include-deps', 'also push images of services declared as dependencies')
    .option('-q, --quiet', 'push without printing progress information')
    .action(async (services: string[], o: Opts, self: Command) => {
      const loaded = await loadFromFlags(app, self);
      const engine = await app.engine({ timers: false });
      const { selectServices } = await import('../../../engine/compose/up.js');
      const images = new Set<string>();
      for (const s of selectServices(loaded, services, !o.includeDeps)) {
        const svc = loaded.project.services[s]!;
        if (svc.build && svc.image) {
          images.add(svc.image);
          for (const t of Array.isArray(svc.build.tags) ? svc.build.tags : []) if (typeof t === 'string') images.add(t);
        }
        else if (!o.quiet) app.err(` ${s} Skipped\n`);
      }
      for (const image of images) {
        try {
          if (!o.quiet) app.err(` Pushing ${image}\n`);
          await engine.images.push(image, undefined, {}, o.quiet ? undefined : progressRenderer(app.err, !!process.stderr.isTTY));
          if (!o.quiet) app.err(` Pushed ${image}\n`);
        } catch (e) {
          if (!o.ignorePushFailures) throw e;
          app.err(`WARN[0000] pushing ${image}: ${(e as Error).message}\n`);
        }
      }
    });
  examples(cmd, ['skiff compose push', 'skiff compose push --ignore-push-failures web']);
}
