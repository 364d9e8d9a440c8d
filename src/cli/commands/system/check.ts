import type { Command } from 'commander';
import type { App } from '../../app.js';
import { ExitCodeError } from '../../../core/errdefs.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'check'): void {
  const cmd = parent
    .command(name)
    .description(
      'Check storage and runtime state for what interrupted commands left (a netns, lease, mount or monitor of a stopped container, directories without their object, half copy-ups, dead builds); exit 0 when clean or repaired',
    )
    .option('-r, --repair', 'undo or finish what was found')
    .option('-f, --format <format>', "'json' for a machine-readable report")
    .action(async (o: { repair?: boolean; format?: string }) => {
      const engine = await app.engine();
      const report = await engine.check({ repair: !!o.repair });
      if (o.format === 'json') {
        app.print(JSON.stringify({ Errors: report.errors, Findings: report.findings }, null, 4));
      } else if (!report.findings.length) {
        app.print('No problems found');
      } else {
        for (const f of report.findings) app.print(`${f.repaired ? 'repaired' : 'found'}: ${f.kind} ${f.name}: ${f.problem}`);
      }
      // Podman's exit status: 125 while problems remain unrepaired.
      if (report.errors) throw new ExitCodeError(125, o.format === 'json' ? '' : 'problems found; run with --repair to fix them');
    });
  examples(cmd, ['skiff system check', 'skiff system check --repair', 'skiff system check --format json']);
}
