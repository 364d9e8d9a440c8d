import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { renderOne } from '../../format/table.js';

export function register(parent: Command, app: App, name = 'inspect'): void {
  const cmd = parent
    .command(name)
    .description('Display detailed information on one or more containers')
    .argument('<CONTAINER...>')
    .option('-f, --format <format>', 'format the output with a Go template')
    .option('-s, --size', 'display total file sizes')
    .action(async (refs: string[], o: { format?: string }) => {
      const engine = await app.engine();
      const docs = [];
      let failed: unknown;
      for (const r of refs) {
        try {
          docs.push(await engine.containers.inspect(r));
        } catch (e) {
          failed ??= e;
        }
      }
      if (docs.length) app.out(renderOne(docs, o.format));
      if (failed) throw failed;
    });
  examples(cmd, ['skiff container inspect web', "skiff container inspect -f '{{.State.Status}}' web"]);
}
