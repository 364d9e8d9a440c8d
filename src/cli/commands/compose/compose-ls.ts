import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { collect, examples } from '../common.js';
import { renderList } from '../../format/table.js';
import { toGoJSON } from '../../format/go-template.js';

const HEADERS = { Name: 'NAME', Status: 'STATUS', ConfigFiles: 'CONFIG FILES' };
const DEFAULT_TABLE = 'table {{.Name}}\t{{.Status}}\t{{.ConfigFiles}}';

interface Opts {
  all?: boolean;
  quiet?: boolean;
  format: string;
  filter?: string[];
}

/** Every project the engine's containers name by label: no Compose file is read. */
export function register(parent: Command, app: App, name = 'ls'): void {
  const cmd = parent
    .command(name)
    .description('List running compose projects')
    .option('-a, --all', 'show all stopped Compose projects')
    .option('-q, --quiet', 'only display project names')
    .option('--format <format>', 'format the output: table or json', 'table')
    .option('--filter <filter>', 'filter output based on conditions provided (name=…)', collect)
    .action(async (o: Opts) => {
      if (o.format !== 'table' && o.format !== 'json') throw invalidArgument(`format value "${o.format}" could not be parsed: use table or json`);
      const names: RegExp[] = [];
      for (const f of o.filter ?? []) {
        const m = /^name=(.*)$/.exec(f);
        if (!m) throw invalidArgument(`invalid filter "${f}"`);
        names.push(new RegExp(m[1]!));
      }
      const engine = await app.engine({ timers: false });
      const L = await import('../../../engine/compose/labels.js');
      const cs = await engine.containers.list({ all: !!o.all, filters: new Map([['label', [L.PROJECT]]]) });
      const projects = new Map<string, { states: Map<string, number>; files: Set<string> }>();
      for (const c of cs) {
        const p = c.Labels[L.PROJECT]!;
        const entry = projects.get(p) ?? { states: new Map(), files: new Set() };
        projects.set(p, entry);
        entry.states.set(c.State, (entry.states.get(c.State) ?? 0) + 1);
        for (const f of c.Labels[L.CONFIG_FILES]?.split(',') ?? []) if (f) entry.files.add(f);
      }
      const rows = [...projects]
        .filter(([n]) => names.every((re) => re.test(n)))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([n, { states, files }]) => ({
          Name: n,
          // Docker Compose's combined status: each state with its count, states in order.
          Status: [...states].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([s, k]) => `${s}(${k})`).join(', '),
          ConfigFiles: [...files].join(','),
        }));
      if (o.quiet) {
        for (const r of rows) app.print(r.Name);
        return;
      }
      if (o.format === 'json') return app.print(toGoJSON(rows));
      app.out(renderList(rows, { format: o.format, defaultTable: DEFAULT_TABLE, headers: HEADERS }));
    });
  examples(cmd, ['skiff compose ls', 'skiff compose ls -a --format json', 'skiff compose ls -q --filter name=web']);
}
