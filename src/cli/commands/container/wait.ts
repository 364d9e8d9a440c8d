import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'wait'): void {
  const cmd = parent
    .command(name)
    .description('Block until one or more containers stop, then print their exit codes')
    .argument('<CONTAINER...>')
    .action(async (refs: string[]) => {
      const engine = await app.engine();
      for (const r of refs) app.print(String(await engine.containers.wait(r)));
    });
  examples(cmd, ['skiff wait job']);
}
