import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { TerminalIo, followAttached } from './attach-io.js';

export function register(parent: Command, app: App, name = 'attach'): void {
  const cmd = parent
    .command(name)
    .description("Attach local standard input, output, and error streams to a running container")
    .argument('<CONTAINER>')
    .option('--no-stdin', 'do not attach STDIN')
    .option('--detach-keys <keys>', 'override the key sequence for detaching')
    .option('--no-sig-proxy', 'do not proxy received signals to the process')
    .action(async (ref: string, o: { stdin: boolean; detachKeys?: string; sigProxy: boolean }) => {
      const engine = await app.engine();
      const doc = await engine.containers.inspect(ref);
      const io = new TerminalIo(doc.Config.Tty, o.stdin && doc.Config.OpenStdin);
      const session = await engine.containers.attach(ref, io.streams(o.detachKeys));
      await followAttached(engine, doc.Id, session, io, { proxySignals: !doc.Config.Tty && o.sigProxy });
    });
  examples(cmd, ['skiff attach shell']);
}
