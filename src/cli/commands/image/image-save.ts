import type { Command } from 'commander';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';

export function register(parent: Command, app: App, name = 'save'): void {
  const cmd = parent
    .command(name)
    .description('Save one or more images to an archive (standard output by default)')
    .argument('<IMAGE...>')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option('--format <format>', 'docker-archive or oci-archive', 'docker-archive')
    .option('-q, --quiet', 'suppress the output')
    .action(async (refs: string[], o: { output?: string; format: string }) => {
      if (o.format !== 'docker-archive' && o.format !== 'oci-archive') {
        throw invalidArgument(`unknown format "${o.format}": use docker-archive or oci-archive`);
      }
      if (!o.output && process.stdout.isTTY) {
        throw invalidArgument('refusing to write an archive to a terminal: use -o or redirect');
      }
      const engine = await app.engine();
      if (!o.output) {
        await engine.images.save(refs, process.stdout, { format: o.format });
        return;
      }
      // A temp file and a rename: a failed save leaves no half-written archive under the name.
      const tmp = `${o.output}.skiff-tmp-${process.pid}`;
      try {
        const out = createWriteStream(tmp);
        await engine.images.save(refs, out, { format: o.format });
        if (!out.writableFinished) await once(out, 'finish');
        renameSync(tmp, o.output);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
    });
  examples(cmd, ['skiff save -o busybox.tar busybox', 'skiff save --format oci-archive -o all.tar busybox alpine:3.19']);
}
