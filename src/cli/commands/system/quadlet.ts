import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { ExitCodeError } from '../../../core/errdefs.js';
import { skiffInvocation } from '../generate/invocation.js';
import { generateQuadlets, quadletDirs, writeQuadletOutput } from '../../../engine/systemd/quadlet.js';

interface Flags {
  dryrun?: boolean;
  user?: boolean;
  verbose?: boolean;
}

/** `bin/skiff-quadlet` (a systemd generator: `NORMAL_DIR [EARLY_DIR LATE_DIR]`) runs this. */
export function register(parent: Command, app: App, name = 'quadlet'): void {
  const cmd = parent
    .command(name)
    .description("Turn Podman Quadlet files into systemd units (the systemd generator's work)")
    .argument('[DIRS...]', 'the output directory, then the early and late ones systemd passes (unused)')
    .option('--dryrun', 'print the units instead of writing them')
    .option('--user', "read the user's Quadlet directories")
    .option('-v, --verbose', 'print every file converted')
    .option('--no-kmsg-log', 'accepted for Podman compatibility (skiff logs to stderr)')
    .action((dirs: string[], f: Flags) => {
      const isUser = !!f.user;
      if (!f.dryrun && !dirs[0]) throw new Error('missing output directory: skiff-quadlet NORMAL_DIR [EARLY_DIR LATE_DIR], or -dryrun');
      const runRoot = app.globals().runroot ?? process.env.SKIFF_RUNROOT ?? '/run/skiff';
      const out = generateQuadlets(quadletDirs(isUser), { invocation: skiffInvocation(app), runRoot, isUser });
      if (f.dryrun) for (const u of out.units) app.out(`---${u.name}---\n${u.text}\n`);
      else writeQuadletOutput(dirs[0]!, out);
      if (f.verbose) for (const u of out.units) app.err(`skiff-quadlet: generated ${u.name}\n`);
      for (const e of out.errors) app.err(`skiff-quadlet: ${e}\n`);
      // Podman's quadlet: the files that converted are written, and the run fails.
      if (out.errors.length) throw new ExitCodeError(1);
    });
  examples(cmd, ['QUADLET_UNIT_DIRS=./units skiff quadlet -dryrun', 'skiff-quadlet /run/systemd/generator']);
}
