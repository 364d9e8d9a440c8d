import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { tabwrite } from '../../format/tabwriter.js';

export function register(parent: Command, app: App, name = 'top'): void {
  const cmd = parent
    .command(name)
    .description('Display the running processes of the containers in a pod')
    .argument('<POD>')
    .argument('[ps OPTIONS...]', 'options for ps (default -ef)')
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (ref: string, psArgs: string[]) => {
      const top = await (await app.engine()).pods.top(ref, psArgs);
      const lines = [top.Titles, ...top.Processes].map((r) => r.join('\t') + '\n').join('');
      app.out(tabwrite(lines, { minwidth: 20, padding: 3, padchar: ' ' }));
    });
  examples(cmd, ['skiff pod top web']);
}
