import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, dockerSize } from '../common.js';
import { renderList } from '../../format/table.js';
import { timeAgo } from '../../format/units.js';

const HEADERS = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };

export function register(parent: Command, app: App, name = 'history'): void {
  const cmd = parent
    .command(name)
    .description('Show the history of an image')
    .argument('<IMAGE>')
    .option('-H, --human', 'display sizes and dates in human readable format', true)
    .option('--no-trunc', 'do not truncate output')
    .option('-q, --quiet', 'only show image IDs')
    .option('--format <format>', 'pretty-print with a Go template')
    .action(async (ref: string, o: { human: boolean; trunc: boolean; quiet?: boolean; format?: string }) => {
      const entries = await (await app.engine()).images.history(ref);
      const rows = entries.map((h) => {
        const created = new Date(h.Created * 1000);
        const by = o.trunc && h.CreatedBy.length > 45 ? h.CreatedBy.slice(0, 44) + '…' : h.CreatedBy;
        return {
          ID: h.Id === '<missing>' || !o.trunc ? h.Id : h.Id.slice(7, 19),
          CreatedSince: o.human ? timeAgo(created) : created.toISOString(),
          CreatedAt: created.toISOString(),
          CreatedBy: by,
          Size: o.human ? dockerSize(h.Size) : String(h.Size),
          Comment: h.Comment,
          Tags: h.Tags,
        };
      });
      if (o.quiet && !o.format) {
        for (const r of rows) app.print(r.ID);
        return;
      }
      app.out(
        renderList(rows, {
          format: o.format,
          defaultTable: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
          headers: HEADERS,
        }),
      );
    });
  examples(cmd, ['skiff history busybox', 'skiff history --no-trunc busybox']);
}
