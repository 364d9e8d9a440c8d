import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, dockerSize, examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';

/** `until=` as docker takes it: a duration before now (`24h`, `90m`) or a timestamp. */
function untilOf(filters: string[] | undefined): number | undefined {
  let until: number | undefined;
  for (const f of filters ?? []) {
    const [k, v] = f.split('=', 2) as [string, string | undefined];
    if (k !== 'until' || v === undefined) throw invalidArgument(`invalid filter ${JSON.stringify(f)}: only until=DURATION|TIMESTAMP is supported`);
    const d = /^(\d+(?:\.\d+)?)(h|m|s)$/.exec(v);
    if (d) until = Date.now() - Number(d[1]) * { h: 3600e3, m: 60e3, s: 1e3 }[d[2] as 'h' | 'm' | 's'];
    else if (/^\d+$/.test(v)) until = Number(v) * 1000;
    else if (!Number.isNaN(Date.parse(v))) until = Date.parse(v);
    else throw invalidArgument(`invalid until filter ${JSON.stringify(v)}`);
  }
  return until;
}

export function register(parent: Command, app: App, name = 'prune'): void {
  const cmd = parent
    .command(name)
    .description('Remove build cache')
    .option('-a, --all', 'remove all build cache (the default here: every entry is unused between builds)')
    .option('-f, --force', 'do not prompt for confirmation')
    .option('--filter <filter>', 'until=DURATION|TIMESTAMP: only entries last used before then', collect)
    .action(async (o: { filter?: string[] }) => {
      const until = untilOf(o.filter);
      const report = (await app.engine()).builder.prune(until === undefined ? {} : { until });
      for (const k of report.removed) app.print(k);
      app.print(`Total reclaimed space: ${dockerSize(report.bytesReclaimed)}`);
    });
  examples(cmd, ['skiff builder prune -f', 'skiff builder prune --filter until=24h']);
}
