import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';

export function register(parent: Command, app: App, name = 'export'): void {
  const cmd = parent
    .command(name)
    .description("Export a container's filesystem as a tar archive")
    .argument('<CONTAINER>')
    .option('-o, --output <file>', 'write to a file, instead of STDOUT')
    .action(async (ref: string, o: { output?: string }) => {
      const engine = await app.engine();
      if (!o.output || o.output === '-') {
        if (process.stdout.isTTY) throw invalidArgument('cowardly refusing to save to a terminal. Use the -o flag or redirect');
        await engine.containers.export(ref, process.stdout);
        return;
      }
      // A half-written archive never takes the name: write beside it, then rename.
      const tmp = join(dirname(o.output), `.${basename(o.output)}.tmp-${process.pid}`);
      try {
        await engine.containers.export(ref, createWriteStream(tmp, { mode: 0o644 }));
        renameSync(tmp, o.output);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
    });
  examples(cmd, ['skiff export web > web.tar', 'skiff export -o web.tar web']);
}
