import type { Command } from 'commander';
import type { App } from '../../app.js';
import { ExitCodeError } from '../../../core/errdefs.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'exists'): void {
  const cmd = parent
    .command(name)
    .description('Check whether a pod exists (exit status 0 if it does, 1 if not)')
    .argument('<POD>')
    .action(async (ref: string) => {
      if (!(await app.engine()).pods.exists(ref)) throw new ExitCodeError(1);
    });
  examples(cmd, ['skiff pod exists web && echo yes']);
}
