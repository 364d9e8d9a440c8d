import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { ExitCodeError } from '../../../core/errdefs.js';

export function register(parent: Command, app: App, name = 'port'): void {
  const cmd = parent
    .command(name)
    .description('List port mappings or a specific mapping for the container')
    .argument('<CONTAINER>')
    .argument('[PRIVATE_PORT[/PROTO]]')
    .action(async (ref: string, port: string | undefined) => {
      const doc = await (await app.engine()).containers.inspect(ref);
      const ports = doc.NetworkSettings.Ports as Record<string, { HostIp: string; HostPort: string }[] | null>;
      if (port !== undefined) {
        const key = port.includes('/') ? port : `${port}/tcp`;
        const bindings = ports[key];
        if (!bindings?.length) throw new ExitCodeError(1, `No public port '${key}' published for ${ref}`);
        for (const b of bindings) app.print(`${b.HostIp}:${b.HostPort}`);
        return;
      }
      for (const [k, bindings] of Object.entries(ports)) for (const b of bindings ?? []) app.print(`${k} -> ${b.HostIp}:${b.HostPort}`);
    });
  examples(cmd, ['skiff port web', 'skiff port web 80/tcp']);
}
