import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { renderOne } from '../../format/table.js';

export function register(parent: Command, app: App, name = 'inspect'): void {
  const cmd = parent
    .command(name)
    .description('Display the configuration of one or more images')
    .argument('<IMAGE...>')
    .option('-f, --format <format>', 'format the output with a Go template')
    .action(async (refs: string[], o: { format?: string }) => {
      const engine = await app.engine();
      const docs = [];
      let failed: unknown;
      for (const r of refs) {
        try {
          docs.push(await engine.images.inspect(r));
        } catch (e) {
          failed ??= e;
        }
      }
      // Like docker: print what was found, then fail for what was not.
      if (docs.length) app.out(renderOne(docs, o.format));
      if (failed) throw failed;
    });
  examples(cmd, ['skiff image inspect busybox', "skiff image inspect --format '{{.Id}} {{.Size}}' busybox"]);
}
