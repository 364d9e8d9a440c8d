import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { parseFilters } from '../../format/filters.js';
import { renderList } from '../../format/table.js';

interface Opts {
  quiet?: boolean;
  filter?: string[];
  format?: string;
}

const HEADERS = { Driver: 'DRIVER', Name: 'VOLUME NAME', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE' };

export function register(parent: Command, app: App, name = 'ls'): void {
  const cmd = parent
    .command(name)
    .description('List volumes')
    .option('-q, --quiet', 'only display volume names')
    .option('-f, --filter <filter>', 'filter output: name, label, label!, dangling, driver', collect)
    .option('--format <format>', "pretty-print with a Go template, 'table', 'table TEMPLATE' or 'json'")
    .action(async (o: Opts) => {
      const filters = parseFilters(o.filter ?? [], ['name', 'label', 'label!', 'dangling', 'driver']);
      const volumes = (await app.engine()).volumes.list(filters);
      // Docker's volume formatter: Labels joined as k=v, Size only known to `system df -v`.
      const rows = volumes.map((v) => ({
        Name: v.Name,
        Driver: v.Driver,
        Scope: v.Scope,
        Mountpoint: v.Mountpoint,
        Labels: Object.entries(v.Labels).map(([k, val]) => `${k}=${val}`).join(','),
        Links: String(v.RefCount),
        Size: 'N/A',
      }));
      app.out(
        renderList(rows, {
          format: o.format,
          quiet: !!o.quiet && !o.format,
          quietFormat: '{{.Name}}',
          defaultTable: 'table {{.Driver}}\t{{.Name}}',
          headers: HEADERS,
        }),
      );
    });
  examples(cmd, ['skiff volume ls', 'skiff volume ls -q --filter dangling=true', "skiff volume ls --format '{{.Name}} {{.Mountpoint}}'"]);
}
