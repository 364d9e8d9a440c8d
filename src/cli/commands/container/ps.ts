import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { parseFilters } from '../../format/filters.js';
import { renderList } from '../../format/table.js';
import { humanDuration, timeAgo } from '../../format/units.js';

const HEADERS = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  RunningFor: 'CREATED',
  Status: 'STATUS',
  Ports: 'PORTS',
  Names: 'NAMES',
  Size: 'SIZE',
  State: 'STATE',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
  Pod: 'POD ID',
  PodName: 'PODNAME',
};

interface Opts {
  all?: boolean;
  quiet?: boolean;
  size?: boolean;
  latest?: boolean;
  last?: string;
  filter?: string[];
  format?: string;
  trunc: boolean;
  pod?: boolean;
}

export function register(parent: Command, app: App, name = 'ps'): void {
  const cmd = parent
    .command(name)
    .description('List containers')
    .option('-a, --all', 'show all containers (default shows just running)')
    .option('-q, --quiet', 'only display container IDs')
    .option('-s, --size', 'display total file sizes')
    .option('-l, --latest', 'show the latest created container (includes all states)')
    .option('-n, --last <n>', 'show n last created containers (includes all states)')
    .option('-f, --filter <filter>', 'filter output: status, name, id, pod, ancestor, before, since, exited, label, volume, network, health, is-task, publish, expose', collect)
    .option('--format <format>', "pretty-print with a Go template, 'table', 'table TEMPLATE' or 'json'")
    .option('--no-trunc', "don't truncate output")
    .option('--pod', 'print the ID and name of the pod each container is in')
    .action(async (o: Opts) => {
      // The engine checks the keys and values, for the API service too.
      const filters = parseFilters(o.filter ?? []);
      const last = o.latest ? 1 : o.last !== undefined ? Number(o.last) : undefined;
      const since = (iso: string) => humanDuration(Date.now() - Date.parse(iso));
      const engine = await app.engine();
      const withPods = !!o.pod || /\.Pod/.test(o.format ?? '');
      const pods = withPods ? engine.pods.memberships() : new Map<string, { id: string; name: string }>();
      const list = await engine.containers.list(
        { all: !!o.all || last !== undefined, filters, ...(last !== undefined ? { last } : {}) },
        since,
      );
      if (o.quiet && !o.format) {
        for (const c of list) app.print(o.trunc ? c.Id.slice(0, 12) : c.Id);
        return;
      }
      const rows = list.map((c) => {
        const created = new Date(c.Created * 1000);
        const command = JSON.stringify(o.trunc && c.Command.length > 20 ? c.Command.slice(0, 19) + '…' : c.Command);
        return {
          ID: o.trunc ? c.Id.slice(0, 12) : c.Id,
          Image: c.Image,
          Command: command,
          RunningFor: timeAgo(created),
          CreatedAt: created.toISOString(),
          Status: c.Status,
          State: c.State,
          Ports: c.Ports.map((p) => (p.PublicPort ? `${p.IP}:${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`)).join(', '),
          Names: c.Names.map((n) => n.slice(1)).join(','),
          Labels: Object.entries(c.Labels).map(([k, v]) => `${k}=${v}`).join(','),
          Size: '0B',
          Networks: c.HostConfig.NetworkMode,
          ...(withPods
            ? { Pod: o.trunc ? (pods.get(c.Id)?.id.slice(0, 12) ?? '') : (pods.get(c.Id)?.id ?? ''), PodName: pods.get(c.Id)?.name ?? '' }
            : {}),
        };
      });
      const defaultTable =
        'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}' + (o.size ? '\t{{.Size}}' : '') + (o.pod ? '\t{{.Pod}}\t{{.PodName}}' : '');
      app.out(renderList(rows, { format: o.format, defaultTable, headers: HEADERS }));
    });
  examples(cmd, ['skiff ps', 'skiff ps -a --filter status=exited -q', "skiff ps --format '{{.Names}} {{.Status}}'"]);
}
