import { once } from 'node:events';
import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';

/** Docker's --since/--until: RFC 3339, a unix timestamp, or a duration ago (10m, 1h30m). */
export function parseTime(v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return new Date(Number(v) * 1000);
  const dur = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v);
  if (dur && v) return new Date(Date.now() - ((Number(dur[1] ?? 0) * 60 + Number(dur[2] ?? 0)) * 60 + Number(dur[3] ?? 0)) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`invalid time "${v}"`);
  return new Date(t);
}

export function register(parent: Command, app: App, name = 'logs'): void {
  const cmd = parent
    .command(name)
    .description('Fetch the logs of a container')
    .argument('<CONTAINER>')
    .option('-f, --follow', 'follow log output')
    .option('-n, --tail <lines>', 'number of lines to show from the end of the logs', 'all')
    .option('--since <time>', 'show logs since timestamp or relative time (e.g. 42m)')
    .option('--until <time>', 'show logs before a timestamp or relative time')
    .option('-t, --timestamps', 'show timestamps')
    .action(async (ref: string, o: { follow?: boolean; tail: string; since?: string; until?: string; timestamps?: boolean }) => {
      const engine = await app.engine();
      const tail = o.tail === 'all' ? undefined : Number(o.tail);
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      for await (const r of engine.containers.logs(ref, {
        follow: !!o.follow,
        ...(tail !== undefined && tail >= 0 ? { tail } : {}),
        ...(parseTime(o.since) ? { since: parseTime(o.since)! } : {}),
        ...(parseTime(o.until) ? { until: parseTime(o.until)! } : {}),
        signal: stop.signal,
      })) {
        const line = (o.timestamps ? `${r.timestamp} ` : '') + r.text;
        (r.stream === 'stderr' ? app.err : app.out)(line.endsWith('\n') ? line : line + '\n');
        // Node queues what a pipe cannot take yet: wait, or a big log would pile up in memory.
        for (const s of [process.stdout, process.stderr]) if (s.writableNeedDrain) await once(s, 'drain');
      }
    });
  examples(cmd, ['skiff logs web', 'skiff logs -f --tail 10 web', 'skiff logs --since 5m -t web']);
}
