import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';

function parseBool(v: string | boolean | undefined): boolean {
  if (v === undefined || v === true) return true;
  if (v === false) return false;
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  throw invalidArgument(`invalid boolean value "${v}" for --pause`);
}

export function register(parent: Command, app: App, name = 'commit'): void {
  const cmd = parent
    .command(name)
    .description("Create a new image from a container's changes")
    .argument('<CONTAINER>')
    .argument('[REPOSITORY[:TAG]]')
    .option('-a, --author <author>', 'author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option('-c, --change <instruction>', 'apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <message>', 'commit message')
    .option('-p, --pause [bool]', 'pause container during commit', 'true')
    // Podman's: it silences the copy progress. skiff prints only the id either way, as docker does.
    .option('-q, --quiet', 'suppress output')
    .action(async (ref: string, image: string | undefined, o: { author?: string; change?: string[]; message?: string; pause: string | boolean }) => {
      const id = await (await app.engine()).containers.commit(ref, {
        ...(image ? { reference: image } : {}),
        ...(o.change ? { changes: o.change } : {}),
        ...(o.message !== undefined ? { message: o.message } : {}),
        ...(o.author !== undefined ? { author: o.author } : {}),
        pause: parseBool(o.pause),
      });
      app.print(id);
    });
  examples(cmd, ['skiff commit web web:snapshot', "skiff commit -c 'CMD [\"httpd\",\"-f\"]' -m 'add site' web site:1"]);
}
