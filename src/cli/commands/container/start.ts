import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { TerminalIo, followAttached } from './attach-io.js';

export function register(parent: Command, app: App, name = 'start'): void {
  const cmd = parent
    .command(name)
    .description('Start one or more stopped containers')
    .argument('<CONTAINER...>')
    .option('-a, --attach', "attach STDOUT/STDERR and forward signals; exit with the container's status")
    .option('-i, --interactive', "attach the container's STDIN")
    .option('--detach-keys <keys>', 'override the key sequence for detaching')
    .action(async (refs: string[], o: { attach?: boolean; interactive?: boolean; detachKeys?: string }) => {
      const engine = await app.engine();
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
  examples(cmd, ['skiff start web', 'skiff start -a job']);
}
