import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { tabwrite } from '../../format/tabwriter.js';

export function register(parent: Command, app: App, name = 'top'): void {
  const cmd = parent
    .command(name)
    .description('Display the running processes of a container')
    .argument('<CONTAINER>')
    .argument('[ps OPTIONS...]', 'options for ps (default -ef)')
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (ref: string, psArgs: string[]) => {
      const top = await (await app.engine()).containers.top(ref, psArgs);
      const lines = [top.Titles, ...top.Processes].map((r) => r.join('\t') + '\n').join('');
      // docker top: tabwriter(minwidth 20, tabwidth 1, padding 3).
      app.out(tabwrite(lines, { minwidth: 20, padding: 3, padchar: ' ' }));
    });
  examples(cmd, ['skiff top web', 'skiff top web -o pid,user,comm']);
}
