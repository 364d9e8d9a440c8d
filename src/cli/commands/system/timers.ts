import type { Command } from 'commander';
import type { App } from '../../app.js';

/**
 * The on-demand timer process (engine/timers/): started detached by the first command that
 * finds a container needing health probes or a restart back-off, gone once none does.
 */
export function register(parent: Command, app: App, name = 'timers'): void {
  parent
    .command(name, { hidden: true })
    .description('Run health checks and restart back-offs for this run root (started on demand)')
    .action(async () => {
      const engine = await app.engine({ timers: false });
      const stop = new AbortController();
      for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => stop.abort());
      const log = (line: string) => app.err(`${new Date().toISOString()} ${line}\n`);
      if (!(await engine.timers.runProcess({ signal: stop.signal, log }))) app.debug('another process runs the timers');
    });
}
