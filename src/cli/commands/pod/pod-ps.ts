import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { parseFilters } from '../../format/filters.js';
import { renderList } from '../../format/table.js';
import { timeAgo } from '../../format/units.js';
import { invalidArgument } from '../../../core/errdefs.js';

interface Opts {
  quiet?: boolean;
  filter?: string[];
  format?: string;
  trunc: boolean;
  ctrNames?: boolean;
  ctrIds?: boolean;
  ctrStatus?: boolean;
}

/** Podman's `pod ps` columns. */
const HEADERS = {
  ID: 'POD ID',
  Name: 'NAME',
  Status: 'STATUS',
  Created: 'CREATED',
  InfraID: 'INFRA ID',
  NumberOfContainers: '# OF CONTAINERS',
  ContainerNames: 'NAMES',
  ContainerIds: 'IDS',
  ContainerStatuses: 'STATUS',
  Labels: 'LABELS',
  Networks: 'NETWORKS',
};

export function register(parent: Command, app: App, name = 'ps'): void {
  const cmd = parent
    .command(name)
    .description('List pods')
    .option('-q, --quiet', 'print the pod IDs only')
    .option('-f, --filter <filter>', 'filter output: name, id, label, status', collect)
    .option('--format <format>', "pretty-print with a Go template, 'table', 'table TEMPLATE' or 'json'")
    .option('--no-trunc', "don't truncate the output")
    .option('--ctr-names', 'show the names of the containers in the pod')
    .option('--ctr-ids', 'show the IDs of the containers in the pod')
    .option('--ctr-status', 'show the status of the containers in the pod')
    .action(async (o: Opts) => {
      const filters = parseFilters(o.filter ?? []);
      for (const k of filters.keys()) if (!['name', 'id', 'label', 'status'].includes(k)) throw invalidArgument(`${k} is an invalid filter`);
      const pods = await (await app.engine()).pods.list(filters);
      const short = (id: string) => (o.trunc ? id.slice(0, 12) : id);
      const rows = pods.map((p) => ({
        ID: short(p.Id),
        Name: p.Name,
        Status: p.Status,
        Created: timeAgo(p.Created),
        InfraID: p.InfraId ? short(p.InfraId) : '',
        NumberOfContainers: String(p.Containers.length),
        ContainerNames: p.Containers.map((c) => c.Names).join(','),
        ContainerIds: p.Containers.map((c) => short(c.Id)).join(','),
        ContainerStatuses: p.Containers.map((c) => c.Status).join(','),
        Labels: Object.entries(p.Labels).map(([k, v]) => `${k}=${v}`).join(','),
        Networks: p.Networks.join(','),
      }));
      const extra = (o.ctrIds ? '\t{{.ContainerIds}}' : '') + (o.ctrNames ? '\t{{.ContainerNames}}' : '') + (o.ctrStatus ? '\t{{.ContainerStatuses}}' : '');
      app.out(
        renderList(o.format === 'json' ? (pods as unknown as Record<string, unknown>[]) : rows, {
          format: o.format,
          quiet: !!o.quiet && !o.format,
          quietFormat: '{{.ID}}',
          defaultTable: 'table {{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}' + (extra || '\t{{.NumberOfContainers}}'),
          headers: HEADERS,
        }),
      );
    });
  examples(cmd, ['skiff pod ps', 'skiff pod ps --ctr-names', 'skiff pod ps -q --filter name=web']);
}
