import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { parseFilters } from '../../format/filters.js';
import { renderList } from '../../format/table.js';

interface Opts {
  quiet?: boolean;
  filter?: string[];
  format?: string;
  trunc: boolean;
}

const HEADERS = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', Labels: 'LABELS', Internal: 'INTERNAL', CreatedAt: 'CREATED' };

export function register(parent: Command, app: App, name = 'ls'): void {
  const cmd = parent
    .command(name)
    .description('List networks')
    .option('-q, --quiet', 'only display network IDs')
    .option('-f, --filter <filter>', 'filter output: name, id, driver, label', collect)
    .option('--format <format>', "pretty-print with a Go template, 'table', 'table TEMPLATE' or 'json'")
    .option('--no-trunc', "don't truncate the output")
    .action(async (o: Opts) => {
      const filters = parseFilters(o.filter ?? [], ['name', 'id', 'driver', 'label']);
      const nets = (await app.engine()).networks.list(filters);
      const rows = nets.map((n) => ({
        ID: o.trunc ? n.Id.slice(0, 12) : n.Id,
        Name: n.Name,
        Driver: n.Driver,
        Scope: n.Scope,
        Labels: Object.entries(n.Labels).map(([k, v]) => `${k}=${v}`).join(','),
        Internal: String(n.Internal),
        CreatedAt: n.Created,
      }));
      app.out(
        renderList(rows, {
          format: o.format,
          quiet: !!o.quiet && !o.format,
          quietFormat: '{{.ID}}',
          defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}',
          headers: HEADERS,
        }),
      );
    });
  examples(cmd, ['skiff network ls', 'skiff network ls -q --filter name=web']);
}
