import { Option, type Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';

interface Opts {
  driver?: string;
  subnet?: string[];
  gateway?: string[];
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

/** `--subnet`/`--gateway` given once per address family, as Podman takes them. */
function byFamily<K4 extends string, K6 extends string>(list: string[] | undefined, v4: K4, v6: K6, flag: string): Partial<Record<K4 | K6, string>> {
  const out: Partial<Record<string, string>> = {};
  for (const v of list ?? []) {
    const key = v.includes(':') ? v6 : v4;
    if (out[key]) throw invalidArgument(`${flag} given twice for ${key === v6 ? 'IPv6' : 'IPv4'}`);
    out[key] = v;
  }
  return out as Partial<Record<K4 | K6, string>>;
}

export function register(parent: Command, app: App, name = 'create'): void {
  const cmd = parent
    .command(name)
    .description('Create a network')
    .argument('[NAME]')
    .option('-d, --driver <driver>', 'driver to manage the network', 'bridge')
    .option('--subnet <cidr>', 'subnet in CIDR format: one IPv4 and/or one IPv6 (with --ipv6)', collect)
    .option('--gateway <ip>', 'gateway for the subnet of its family', collect)
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
        ...byFamily(o.subnet, 'subnet', 'subnet6', '--subnet'),
        ...byFamily(o.gateway, 'gateway', 'gateway6', '--gateway'),
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
  examples(cmd, ['skiff network create web', 'skiff network create --subnet 10.90.0.0/24 --internal backend', 'skiff network create --ipv6 --subnet fd00:1::/64 dual']);
}
