import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { renderOne } from '../../format/table.js';
import { versionInfo } from '../../../engine/system/info.js';

export function register(parent: Command, app: App, name = 'version'): void {
  const cmd = parent
    .command(name)
    .description('Display the skiff version information')
    .option('-f, --format <format>', "Go template or 'json'")
    .action((o: { format?: string }) => {
      const v = versionInfo();
      const doc = { Client: v, Server: null };
      if (o.format === 'json') app.print(JSON.stringify(doc));
      else if (o.format) app.out(renderOne([doc], o.format));
      else {
        app.print(
          [
            'Client:',
            ` Version:      ${v.Version}`,
            ` API Version:  ${v.ApiVersion}`,
            ` Node Version: ${v.NodeVersion}`,
            ` OS/Arch:      ${v.Os}/${v.Arch}`,
            ` Kernel:       ${v.KernelVersion}`,
          ].join('\n'),
        );
      }
    });
  examples(cmd, ['skiff version', "skiff version --format '{{.Client.Version}}'"]);
}
