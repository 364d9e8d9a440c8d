import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';

export function register(parent: Command, app: App, name = 'rm'): void {
  const cmd = parent
    .command(name)
    .description('Remove one or more stopped pods and their containers')
    .argument('<POD...>')
    .option('-f, --force', 'stop and remove running containers too')
    .option('-i, --ignore', 'ignore errors when a pod does not exist')
    .option('-t, --time <seconds>', 'with --force, seconds to wait for the containers to stop before killing them')
    .action(async (refs: string[], o: { force?: boolean; ignore?: boolean; time?: string }) => {
      const engine = await app.engine();
      const existing = o.ignore ? refs.filter((r) => engine.pods.exists(r)) : refs;
      let failed: unknown;
      for (const r of existing) {
        try {
          app.print(await engine.pods.remove(r, { force: !!o.force, ...(o.time !== undefined ? { timeoutSec: Number(o.time) } : {}) }));
        } catch (e) {
          if (failed) app.err(`Error: ${(failed as Error).message}\n`);
          failed = e;
        }
      }
      if (failed) throw failed;
    });
  examples(cmd, ['skiff pod rm web', 'skiff pod rm -f web']);
}
