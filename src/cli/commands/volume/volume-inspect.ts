import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { renderOne } from '../../format/table.js';

export function register(parent: Command, app: App, name = 'inspect'): void {
  const cmd = parent
    .command(name)
    .description('Display detailed information on one or more volumes')
    .argument('<VOLUME...>')
    .option('-f, --format <format>', 'format the output with a Go template')
    .action(async (names: string[], o: { format?: string }) => {
      const engine = await app.engine();
      const docs = [];
      let failed: unknown;
      for (const n of names) {
        try {
          docs.push(engine.volumes.inspect(n));
        } catch (e) {
          failed ??= e;
        }
      }
      // Like docker: print what was found, then fail for what was not.
      if (docs.length) app.out(renderOne(docs, o.format));
      if (failed) throw failed;
    });
  examples(cmd, ['skiff volume inspect data', "skiff volume inspect --format '{{.Mountpoint}}' data"]);
}
