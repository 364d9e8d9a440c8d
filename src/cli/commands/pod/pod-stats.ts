import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { renderList } from '../../format/table.js';
import { bytesSize } from '../../format/units.js';

export function register(parent: Command, app: App, name = 'stats'): void {
  const cmd = parent
    .command(name)
    .description("Display one sample of the resource usage of a pod's containers")
    .argument('<POD...>')
    .option('--no-stream', 'one sample only (the default here)')
    .option('--format <format>', "pretty-print with a Go template, 'table', 'table TEMPLATE' or 'json'")
    .action(async (refs: string[], o: { format?: string }) => {
      const engine = await app.engine();
      const rows = [];
      for (const r of refs) {
        const pod = await engine.pods.inspect(r);
        for (const s of await engine.pods.stats(r)) {
          rows.push({
            Pod: pod.Id.slice(0, 12),
            CID: s.id.slice(0, 12),
            Name: s.name,
            MemUsage: s.running ? `${bytesSize(s.memUsage)} / ${bytesSize(s.memLimit)}` : '-- / --',
            PIDs: s.running ? String(s.pids) : '--',
          });
        }
      }
      app.out(
        renderList(rows, {
          format: o.format,
          defaultTable: 'table {{.Pod}}\t{{.CID}}\t{{.Name}}\t{{.MemUsage}}\t{{.PIDs}}',
          headers: { Pod: 'POD', CID: 'CID', Name: 'NAME', MemUsage: 'MEM USAGE / LIMIT', PIDs: 'PIDS' },
        }),
      );
    });
  examples(cmd, ['skiff pod stats web']);
}
