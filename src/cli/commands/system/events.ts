import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { parseFilters } from '../../format/filters.js';
import { renderOne } from '../../format/table.js';
import { parseTime } from '../container/logs.js';
import type { EngineEvent } from '../../../engine/index.js';

const FILTERS = ['container', 'event', 'image', 'label', 'network', 'pod', 'type', 'volume'];

/** docker's line: time, type, action, actor and its attributes sorted by name. */
function line(e: EngineEvent): string {
  const when = new Date(e.timeNano / 1e6).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  const attrs = Object.entries(e.Actor.Attributes)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${when} ${e.Type} ${e.Action} ${e.Actor.ID}${attrs ? ` (${attrs})` : ''}`;
}

export function register(parent: Command, app: App, name = 'events'): void {
  const cmd = parent
    .command(name)
    .description('Get real time events from the engine')
    .option('--since <time>', 'show events since a timestamp or relative time (e.g. 10m)')
    .option('--until <time>', 'stream events until this timestamp or relative time')
    .option('-f, --filter <key=value>', 'filter by container, event, image, label, network, pod, type, volume', collect)
    .option('--format <format>', "format the output with a Go template or 'json'")
    .action(async (o: { since?: string; until?: string; filter?: string[]; format?: string }) => {
      const engine = await app.engine();
      const since = parseTime(o.since);
      const until = parseTime(o.until);
      const filters = parseFilters(o.filter, FILTERS);
      const show = (e: EngineEvent) =>
        app.out(o.format === 'json' ? JSON.stringify(e) + '\n' : o.format ? renderOne(e, o.format) : line(e) + '\n');
      await new Promise<void>((resolve) => {
        const stop = engine.events.follow({ ...(since ? { since } : {}), ...(until ? { until } : {}), filters }, show, resolve);
        process.once('SIGINT', () => (stop(), resolve()));
      });
    });
  examples(cmd, ['skiff events', 'skiff events --since 10m --until 0s --filter type=container', "skiff events --filter event=die --format '{{.Actor.ID}}'"]);
}
