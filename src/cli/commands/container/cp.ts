import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';

/** `CONTAINER:PATH` splits at the first colon, unless the part before it looks like a local path. */
function splitArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i <= 0) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

export function register(parent: Command, app: App, name = 'cp'): void {
  const cmd = parent
    .command(name)
    .description(
      'Copy files/folders between a container and the local filesystem\n\n' +
        'Use "-" as the source to read a tar archive from stdin and extract it to a directory\n' +
        'destination in a container. Use "-" as the destination to stream a tar archive of a\n' +
        'container source to stdout.',
    )
    .usage('[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n       skiff cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH')
    .argument('<SRC>')
    .argument('<DEST>')
    .option('-a, --archive', 'archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'always follow symbol link in SRC_PATH')
    .option('-q, --quiet', 'suppress progress output during copy (always quiet)')
    .action(async (srcArg: string, destArg: string, o: { archive?: boolean; followLink?: boolean }) => {
      const src = splitArg(srcArg);
      const dest = splitArg(destArg);
      if (src.container && dest.container) throw invalidArgument('copying between containers is not supported');
      if (!src.container && !dest.container) throw invalidArgument('must specify at least one container source');
      const containers = (await app.engine()).containers;
      const flags = { ...(o.followLink ? { followLink: true } : {}), ...(o.archive ? { archive: true } : {}) };
      if (src.container) {
        if (!src.path) throw invalidArgument('filepath can not be empty');
        if (dest.path === '-') {
          await containers.copy(src.container, { direction: 'out', path: src.path, tar: process.stdout, ...(o.followLink ? { followLink: true } : {}) });
        } else {
          await containers.copy(src.container, { direction: 'out', path: src.path, hostPath: dest.path, ...flags });
        }
        return;
      }
      if (!dest.path) throw invalidArgument('filepath can not be empty');
      if (src.path === '-') {
        await containers.copy(dest.container!, { direction: 'in', path: dest.path, tar: process.stdin });
      } else {
        await containers.copy(dest.container!, { direction: 'in', path: dest.path, hostPath: src.path, ...flags });
      }
    });
  examples(cmd, ['skiff cp web:/etc/hosts ./hosts', 'skiff cp ./site web:/var/www', 'skiff cp web:/var/log - | tar -t']);
}
