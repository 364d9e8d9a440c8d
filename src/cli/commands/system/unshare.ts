import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { ExitCodeError, failedPrecondition } from '../../../core/errdefs.js';
import { insideUserNamespace } from '../../../engine/rootless/userns.js';
import { rootlessPaths } from '../../../engine/config/load.js';

/**
 * Podman's `unshare`: a command (default the user's shell) inside rootless skiff's user and
 * mount namespace, where the user is root and the storage's files have their container owners.
 * main.ts already re-executed this verb inside the namespace.
 */
export function register(parent: Command, app: App, name = 'unshare'): void {
  const cmd = parent
    .command(name)
    .description("Run a command in rootless skiff's user namespace")
    .argument('[command...]', 'command and arguments (default: $SHELL)')
    .passThroughOptions()
    .action(async (command: string[]) => {
      if (!insideUserNamespace()) throw failedPrecondition('skiff unshare is for users who are not root: root already runs in the host\'s namespaces');
      const argv = command.length > 0 ? command : [process.env.SHELL || '/bin/sh'];
      const g = app.globals();
      const paths = rootlessPaths();
      const env = {
        ...process.env,
        SKIFF_ROOT: g.root ?? process.env.SKIFF_ROOT ?? paths?.root ?? '',
        SKIFF_RUNROOT: g.runroot ?? process.env.SKIFF_RUNROOT ?? paths?.runroot ?? '',
      };
      const code = await new Promise<number>((resolve) => {
        const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env });
        child.once('error', (e: NodeJS.ErrnoException) => {
          app.err(`Error: ${argv[0]}: ${e.message}\n`);
          resolve(e.code === 'ENOENT' ? 127 : 126);
        });
        child.once('exit', (c, sig) => resolve(c ?? (sig ? 128 + 15 : 1)));
      });
      if (code !== 0) throw new ExitCodeError(code);
    });
  examples(cmd, ['skiff unshare id', 'skiff unshare ls -ln ~/.local/share/skiff']);
}
