import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'logs'): void {
  const cmd = parent
    .command(name)
    .description("Fetch the logs of a pod's containers, each line after its container's id (as Podman)")
    .argument('<POD>')
    .option('-f, --follow', 'follow the logs of every container until they all end')
    .option('--tail <n>', 'number of lines to show from the end of each log', 'all')
    .option('-t, --timestamps', 'show timestamps')
    .option('--names', "show the containers' names rather than their ids")
    .action(async (ref: string, o: { follow?: boolean; tail: string; timestamps?: boolean; names?: boolean }) => {
      const engine = await app.engine();
      const tail = o.tail === 'all' ? undefined : Number(o.tail);
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      const opts = { follow: !!o.follow, signal: stop.signal, ...(tail !== undefined && tail >= 0 ? { tail } : {}) };
      for await (const { container, record: r } of engine.pods.logs(ref, opts)) {
        const line = `${o.names ? container.name : container.id.slice(0, 12)} ` + (o.timestamps ? `${r.timestamp} ` : '') + r.text;
        (r.stream === 'stderr' ? app.err : app.out)(line.endsWith('\n') ? line : line + '\n');
      }
    });
  examples(cmd, ['skiff pod logs web']);
}
