import { Option, type Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';

interface Opts {
  driver?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  label?: string[];
  opt?: string[];
  interfaceName?: string;
  disableDns?: boolean;
  ipv6?: boolean;
}

function keyValues(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i === 0) throw invalidArgument(`invalid ${flag} "${kv}": want KEY=VALUE`);
    out[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
  }
  return out;
}

export function register(parent: Command, app: App, name = 'create'): void {
  const cmd = parent
    .command(name)
    .description('Create a network')
    .argument('[NAME]')
    .option('-d, --driver <driver>', 'driver to manage the network', 'bridge')
    .option('--subnet <cidr>', 'subnet in CIDR format')
    .option('--gateway <ip>', 'IPv4 gateway for the subnet')
    .option('--ip-range <cidr>', 'allocate container IPs from this range')
    .option('--internal', 'restrict external access from this network')
    .option('--label <key=value>', 'set metadata on the network', collect)
    .option('-o, --opt <key=value>', 'driver options: mtu, vlan, isolate', collect)
    .option('--interface-name <name>', 'name of the bridge on the host')
    .option('--disable-dns', 'disable name resolution (aardvark-dns) on this network')
    .addOption(new Option('--ipv6', 'enable IPv6 networking'))
    .option('--ignore', 'do nothing if the network exists (a Quadlet unit starting again)')
    .action(async (netName: string | undefined, o: Opts & { ignore?: boolean }) => {
      const engine = await app.engine();
      const name = netName ?? `skiff${engine.networks.list().length}`;
      if (o.ignore && engine.networks.list().some((n) => n.Name === name)) return app.print(name);
      const doc = engine.networks.create({
        name,
        ...(o.driver ? { driver: o.driver } : {}),
        ...(o.subnet ? { subnet: o.subnet } : {}),
        ...(o.gateway ? { gateway: o.gateway } : {}),
        ...(o.ipRange ? { ipRange: o.ipRange } : {}),
        internal: !!o.internal,
        labels: keyValues(o.label, '--label'),
        options: keyValues(o.opt, '--opt'),
        ...(o.interfaceName ? { interfaceName: o.interfaceName } : {}),
        dns: !o.disableDns,
        ipv6: !!o.ipv6,
      });
      app.print(doc.Name);
    });
  examples(cmd, ['skiff network create web', 'skiff network create --subnet 10.90.0.0/24 --internal backend']);
}
