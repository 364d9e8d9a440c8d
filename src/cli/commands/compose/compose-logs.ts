import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { addProjectFlags, ansiMode } from './group.js';
import { followProjectLogs, useColor } from './logs-stream.js';
import { loadOrState } from './project.js';

interface Opts {
  follow?: boolean;
  tail: string;
  timestamps?: boolean;
  logPrefix: boolean;
  color?: boolean;
}

export function register(parent: Command, app: App, name = 'logs'): void {
  const cmd = addProjectFlags(parent.command(name), { shortFile: false })
    .description("View output from the services' containers")
    .argument('[service...]', 'only these services')
    .option('-f, --follow', 'follow log output')
    .option('-n, --tail <n>', 'number of lines from the end of the logs for each container, or "all"', 'all')
    .option('-t, --timestamps', 'show timestamps')
    .option('--no-log-prefix', "don't print a prefix in logs")
    .option('--no-color', 'produce monochrome output')
    .action(async (services: string[], o: Opts, self: Command) => {
      const loaded = await loadOrState(app, self);
      const engine = await app.engine({ timers: false });
      const { selectServices } = await import('../../../engine/compose/up.js');
      if (services.length) selectServices(loaded, services, true);
      const stop = new AbortController();
      const onInt = () => stop.abort();
      process.once('SIGINT', onInt);
      try {
        await followProjectLogs(app, engine, loaded.project.name, services, {
          follow: !!o.follow,
          ...(o.tail !== 'all' ? { tail: Number(o.tail) } : {}),
          timestamps: !!o.timestamps,
          noPrefix: !o.logPrefix,
          color: useColor(ansiMode(self), o.color === false),
          signal: stop.signal,
        });
      } finally {
        process.off('SIGINT', onInt);
      }
    });
  examples(cmd, ['skiff compose logs', 'skiff compose logs -f --tail 10 web']);
}
