import type { Command } from 'commander';
import type { App } from '../../app.js';
import { ExitCodeError } from '../../../core/errdefs.js';
import { examples } from '../common.js';

/** Podman's `healthcheck run`: one probe now; exit 0 when it passed, 1 (printing "unhealthy") when not. */
export function register(parent: Command, app: App, name = 'run'): void {
  const cmd = parent
    .command(name)
    .description("Run a container's health check once")
    .argument('<CONTAINER>')
    .action(async (ref: string) => {
      const r = await (await app.engine()).containers.healthcheck(ref);
      if (r.exitCode === 0) return;
      app.print(r.status === 'starting' ? 'starting' : 'unhealthy');
      throw new ExitCodeError(1);
    });
  examples(cmd, ['skiff healthcheck run web']);
}
