import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { tabwrite } from '../../format/tabwriter.js';
import { addProjectFlags } from './group.js';
import { loadOrState } from './project.js';

/**
 * Docker Compose v2's one table: SERVICE and # (the replica number), then each title `ps` gave
 * in the order first seen, CMD last; a title a container lacks shows as "-".
 */
export function topTable(rows: { service: string; replica: string; titles: string[]; processes: string[][] }[]): string {
  const headers = ['SERVICE', '#'];
  for (const r of rows) for (const t of r.titles) if (!headers.includes(t)) headers.push(t);
  if (headers.includes('CMD')) headers.push(...headers.splice(headers.indexOf('CMD'), 1));
  const lines = [headers];
  for (const r of rows) {
    for (const p of r.processes) {
      const entry = new Map(r.titles.map((t, i) => [t, p[i] ?? '']));
      entry.set('SERVICE', r.service).set('#', r.replica);
      lines.push(headers.map((h) => entry.get(h) ?? '-'));
    }
  }
  return lines.length > 1 ? lines.map((l) => l.join('\t') + '\n').join('') : '';
}

export function register(parent: Command, app: App, name = 'top'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Display the running processes')
    .argument('[service...]', 'only these services')
    .action(async (services: string[], _o: unknown, self: Command) => {
      const loaded = await loadOrState(app, self);
      const engine = await app.engine({ timers: false });
      const { projectContainers } = await import('../../../engine/compose/state.js');
      const cs = (await projectContainers(engine, loaded.project.name))
        .filter((c) => c.state === 'running' && (!services.length || services.includes(c.service)))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const rows = [];
      for (const c of cs) {
        const top = await engine.containers.top(c.id);
        rows.push({ service: c.service, replica: String(c.number), titles: top.Titles, processes: top.Processes });
      }
      // tabwriter.NewWriter(out, 4, 1, 2, ' ', 0), as Compose writes it.
      const table = topTable(rows);
      if (table) app.out(tabwrite(table, { minwidth: 4, padding: 2, padchar: ' ' }));
    });
  examples(cmd, ['skiff compose top', 'skiff compose top web']);
}
