import type { Command } from 'commander';
import type { App } from '../../app.js';
import { invalidArgument, notFound } from '../../../core/errdefs.js';
import { examples } from '../common.js';
import { addProjectFlags } from './group.js';
import { loadOrState } from './project.js';

interface Opts {
  protocol: string;
  index: string;
}

export function register(parent: Command, app: App, name = 'port'): void {
  const cmd = addProjectFlags(parent.command(name))
    .description('Print the public port for a port binding')
    .argument('<service>')
    .argument('<private_port>')
    .option('--protocol <proto>', 'tcp or udp', 'tcp')
    .option('--index <n>', 'index of the container if the service has multiple replicas', '1')
    .action(async (service: string, privatePort: string, o: Opts, self: Command) => {
      const loaded = await loadOrState(app, self);
      const engine = await app.engine({ timers: false });
      const { projectContainers } = await import('../../../engine/compose/state.js');
      const c = (await projectContainers(engine, loaded.project.name)).find((x) => x.service === service && x.number === Number(o.index));
      if (!c) throw notFound(`service "${service}" is not running`);
      const port = Number(privatePort);
      if (!Number.isInteger(port)) throw invalidArgument(`invalid port "${privatePort}"`);
      const p = c.summary.Ports.find((x) => x.PrivatePort === port && x.Type === o.protocol && x.PublicPort);
      if (!p) throw notFound(`no port ${port}/${o.protocol} for container ${c.name}`);
      app.print(`${p.IP || '0.0.0.0'}:${p.PublicPort}`);
    });
  examples(cmd, ['skiff compose port web 80']);
}
