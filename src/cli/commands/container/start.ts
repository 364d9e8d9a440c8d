import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { TerminalIo, followAttached } from './attach-io.js';
import { invalidArgument } from '../../../core/errdefs.js';
import type { Engine } from '../../../engine/index.js';
import { collect } from '../common.js';

/**
 * `--all`: every container that is not running; with `--filter restart-policy=always` (what
 * conf/skiff-restart.service runs at boot), those a boot brings back: `always` ones and
 * `unless-stopped` ones no user stopped.
 */
async function allToStart(engine: Engine, filters: string[]): Promise<string[]> {
  for (const f of filters) {
    if (f !== 'restart-policy=always') throw invalidArgument(`unsupported start filter "${f}": only restart-policy=always`);
  }
  if (filters.length) return engine.containers.restartAtBoot();
  const list = await engine.containers.list({ all: true });
  return list.filter((c) => c.State !== 'running' && c.State !== 'paused').map((c) => c.Id);
}

export function register(parent: Command, app: App, name = 'start'): void {
  const cmd = parent
    .command(name)
    .description('Start one or more stopped containers')
    .argument('[CONTAINER...]')
    .option('--all', 'start all containers that are not running')
    .option('--filter <key=value>', 'with --all: restart-policy=always (containers a boot brings back)', collect)
    .option('-a, --attach', "attach STDOUT/STDERR and forward signals; exit with the container's status")
    .option('-i, --interactive', "attach the container's STDIN")
    .option('--detach-keys <keys>', 'override the key sequence for detaching')
    .action(async (refs: string[], o: { attach?: boolean; interactive?: boolean; detachKeys?: string; all?: boolean; filter?: string[] }) => {
      const engine = await app.engine();
      if (o.all) {
        if (refs.length) throw invalidArgument('--all and container names conflict');
        refs = await allToStart(engine, o.filter ?? []);
      } else if (!refs.length) throw invalidArgument('start requires at least one container (or --all)');
      if (!o.attach && !o.interactive) {
        let failed: unknown;
        for (const r of refs) {
          try {
            await engine.containers.start(r, { notifySocket: process.env.NOTIFY_SOCKET });
            app.print(r);
          } catch (e) {
            if (failed) app.err(`Error: ${(failed as Error).message}\n`);
            failed = e;
          }
        }
        if (failed) throw failed;
        return;
      }
      const ref = refs[0]!;
      const doc = await engine.containers.inspect(ref);
      const io = new TerminalIo(doc.Config.Tty, !!o.interactive);
      const { id, attach } = await engine.containers.start(ref, { attach: io.streams(o.detachKeys) });
      await followAttached(engine, id, attach, io, { proxySignals: !doc.Config.Tty });
    });
  examples(cmd, ['skiff start web', 'skiff start -a job', 'skiff start --all --filter restart-policy=always']);
}
