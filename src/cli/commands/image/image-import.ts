import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples, inputStream } from '../common.js';

export function register(parent: Command, app: App, name = 'import'): void {
  const cmd = parent
    .command(name)
    .description('Import a tarball (a root filesystem) to create an image')
    .argument('<file|->', "tar, tar.gz or tar.zst file, or '-' for standard input")
    .argument('[REPOSITORY[:TAG]]', 'name for the image')
    .option('-c, --change <instruction>', 'apply a Dockerfile instruction: CMD, ENTRYPOINT, ENV, WORKDIR, ...', collect)
    .option('-m, --message <message>', 'commit message for the imported image')
    .option('--platform <os/arch[/variant]>', 'platform recorded in the image')
    .option('-q, --quiet', 'print only the image ID (the default output anyway)')
    .action(async (file: string, ref: string | undefined, o: { change?: string[]; message?: string; platform?: string }) => {
      const [os, architecture, variant] = o.platform?.split('/') ?? [];
      const id = await (await app.engine()).images.import(inputStream(file), {
        reference: ref,
        changes: o.change ?? [],
        message: o.message,
        platform: o.platform ? { os, architecture, variant } : undefined,
      });
      app.print(id);
    });
  examples(cmd, [
    'skiff import rootfs.tar mybase:1.0',
    "skiff import --change 'CMD [\"/bin/sh\"]' --change 'ENV PATH=/bin' rootfs.tar.gz mybase",
    'tar -C rootfs -c . | skiff import - mybase',
  ]);
}
