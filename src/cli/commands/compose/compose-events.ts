import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import type { EngineEvent } from '../../../engine/index.js';
import { addProjectFlags } from './group.js';
import { loadFromFlags } from './project.js';

/** Go's "2006-01-02 15:04:05.000000" in local time, as Docker Compose prints an event's time. */
function stamp(ns: number): string {
  const d = new Date(ns / 1e6);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const micros = Math.floor((ns % 1e9) / 1e3);
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(micros, 6)}`;
}

export function register(parent: Command, app: App, name = 'events'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Receive real time events from containers')
    .argument('[service...]', 'only these services')
    .option('--json', 'output events as a stream of json objects')
    .action(async (services: string[], o: { json?: boolean }, self: Command) => {
      const loaded = await loadFromFlags(app, self);
      const engine = await app.engine({ timers: false });
      const L = await import('../../../engine/compose/labels.js');
      const filters = new Map([
        ['type', ['container']],
        ['label', [`${L.PROJECT}=${loaded.project.name}`]],
      ]);
      const show = (e: EngineEvent) => {
        const service = e.Actor.Attributes[L.SERVICE] ?? '';
        if (services.length && !services.includes(service)) return;
        // Compose leaves its own labels out of the attributes it shows.
        const attributes = Object.fromEntries(Object.entries(e.Actor.Attributes).filter(([k]) => !k.startsWith('com.docker.compose.')));
        if (o.json) {
          // Go's RFC 3339 with nanoseconds, trailing zeros trimmed.
          const frac = String(e.timeNano % 1e9).padStart(9, '0').replace(/0+$/, '');
          const time = new Date(e.timeNano / 1e6).toISOString().replace(/\.\d{3}Z$/, frac ? `.${frac}Z` : 'Z');
          app.print(JSON.stringify({ action: e.Action, attributes, id: e.Actor.ID, service, time, type: 'container' }));
          return;
        }
        const attrs = Object.entries(attributes)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
        // Compose's Event.String ends in a newline and is printed with Println: a blank line follows each.
        app.out(`${stamp(e.timeNano)} container ${e.Action} ${e.Actor.ID} (${attrs})\n\n`);
      };
      await new Promise<void>((resolve) => {
        const stop = engine.events.follow({ filters }, show, resolve);
        process.once('SIGINT', () => (stop(), resolve()));
        process.once('SIGTERM', () => (stop(), resolve()));
      });
    });
  examples(cmd, ['skiff compose events', 'skiff compose events --json web']);
}
