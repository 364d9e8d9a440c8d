import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { renderList } from '../../format/table.js';
import { humanDuration, timeAgo } from '../../format/units.js';
import { addProjectFlags } from './group.js';
import { loadOrState } from './project.js';

/** Docker Compose v2's columns. */
const HEADERS = {
  Name: 'NAME',
  Image: 'IMAGE',
  Command: 'COMMAND',
  Service: 'SERVICE',
  RunningFor: 'CREATED',
  Status: 'STATUS',
  Ports: 'PORTS',
  ID: 'CONTAINER ID',
  State: 'STATE',
  Project: 'PROJECT',
};
const DEFAULT_TABLE = 'table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}';

interface Opts {
  all?: boolean;
  quiet?: boolean;
  services?: boolean;
  format?: string;
  status?: string[];
  trunc: boolean;
}

export function register(parent: Command, app: App, name = 'ps'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('List containers')
    .argument('[service...]', 'only these services')
    .option('-a, --all', 'show all stopped containers (including those created by the run command)')
    .option('-q, --quiet', 'only display IDs')
    .option('--services', 'display services')
    .option('--status <status>', 'filter services by status: created, restarting, running, removing, paused, exited, dead', (v: string, p: string[] = []) => [...p, v])
    .option('--format <format>', "table, json, or a Go template ('table TEMPLATE' with headers)")
    .option('--no-trunc', "don't truncate output")
    .action(async (services: string[], o: Opts, self: Command) => {
      const loaded = await loadOrState(app, self);
      const engine = await app.engine({ timers: false });
      const { projectContainers } = await import('../../../engine/compose/state.js');
      const all = await projectContainers(engine, loaded.project.name, {
        oneoff: !!o.all,
        since: (iso) => humanDuration(Date.now() - Date.parse(iso)),
      });
      const list = all
        .filter((c) => !services.length || services.includes(c.service))
        .filter((c) => (o.status?.length ? o.status.includes(c.state) : o.all || c.state === 'running' || c.state === 'restarting' || c.state === 'paused'))
        .sort((a, b) => a.name.localeCompare(b.name));
      if (o.services) {
        for (const s of [...new Set(list.map((c) => c.service))]) app.print(s);
        return;
      }
      if (o.quiet) {
        for (const c of list) app.print(c.id);
        return;
      }
      const rows = list.map(({ summary: c, name: n, service }) => {
        const created = new Date(c.Created * 1000);
        return {
          ID: c.Id,
          Name: n,
          Names: [n],
          Image: c.Image,
          Command: JSON.stringify(o.trunc && c.Command.length > 20 ? c.Command.slice(0, 19) + '…' : c.Command),
          Project: loaded.project.name,
          Service: service,
          RunningFor: timeAgo(created),
          CreatedAt: created.toISOString(),
          State: c.State,
          Status: c.Status,
          Health: /\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1]?.replace('health: ', '') ?? '',
          ExitCode: c.ExitCode,
          Labels: Object.entries(c.Labels).map(([k, v]) => `${k}=${v}`).join(','),
          Ports: c.Ports.map((p) => (p.PublicPort ? `${p.IP}:${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`)).join(', '),
          Publishers: c.Ports.map((p) => ({ URL: p.IP ?? '', TargetPort: p.PrivatePort, PublishedPort: p.PublicPort ?? 0, Protocol: p.Type })),
          Networks: Object.keys(c.NetworkSettings.Networks).join(','),
        };
      });
      app.out(renderList(rows, { format: o.format, defaultTable: DEFAULT_TABLE, headers: HEADERS }));
    });
  examples(cmd, ['skiff compose ps', 'skiff compose ps -a --format json', 'skiff compose ps --services']);
}
