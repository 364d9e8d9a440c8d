import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples, inspectEach } from '../common.js';
import { invalidArgument, isEngineError } from '../../../core/errdefs.js';

/** `inspect`: containers first, then images, as docker looks them up; `--type` narrows it. */
export function register(parent: Command, app: App, name = 'inspect'): void {
  const cmd = parent
    .command(name)
    .description('Display detailed information on containers or images')
    .argument('<NAME...>')
    .option('-f, --format <format>', 'format the output with a Go template')
    .option('--type <type>', 'only this kind of object: container or image')
    .option('-s, --size', "a container's SizeRw and SizeRootFs")
    .action(async (refs: string[], o: { format?: string; type?: string; size?: boolean }) => {
      if (o.type && o.type !== 'container' && o.type !== 'image') throw invalidArgument(`unknown --type "${o.type}"`);
      const engine = await app.engine();
      await inspectEach(app, refs, o.format, async (r) => {
        if (o.type !== 'image') {
          try {
            return await engine.containers.inspect(r, { size: !!o.size });
          } catch (e) {
            if (o.type === 'container' || !isEngineError(e, 'NotFound')) throw e;
          }
        }
        try {
          return await engine.images.inspect(r);
        } catch (e) {
          throw isEngineError(e, 'NotFound') ? invalidArgument(`no such object: ${r}`) : e;
        }
      });
    });
  examples(cmd, ['skiff inspect web', "skiff inspect --type image -f '{{.Id}}' busybox"]);
}
