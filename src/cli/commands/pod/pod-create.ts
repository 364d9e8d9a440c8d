import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { parsePublish } from '../../../engine/networks/ports.js';
import { invalidArgument } from '../../../core/errdefs.js';
import { parseBytes } from '../../../core/runtime/units.js';

interface Opts {
  name?: string;
  publish?: string[];
  network?: string;
  share?: string;
  infra: string;
  infraImage?: string;
  infraCommand?: string;
  infraName?: string;
  label?: string[];
  hostname?: string;
  addHost?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  cpus?: string;
  memory?: string;
  userns?: string;
}

function bool(flag: string, v: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalidArgument(`invalid argument "${v}" for "${flag}" flag: want true or false`);
}

function labels(list: string[] = []): Record<string, string> {
  return Object.fromEntries(list.map((kv) => (kv.includes('=') ? [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] : [kv, ''])));
}

export function register(parent: Command, app: App, name = 'create'): void {
  const cmd = parent
    .command(name)
    .description('Create a new empty pod: an infra container holds the namespaces its containers share')
    .argument('[NAME]')
    .option('-n, --name <name>', 'assign a name to the pod')
    .option('-p, --publish <port>', "publish a port of the pod's network to the host", collect)
    .option('--network <mode>', 'network of the pod: bridge (default), a network name, none, host')
    .option('--share <namespaces>', 'namespaces the containers share: ipc,net,uts (default), +pid adds to it, none', undefined)
    .option('--infra <bool>', 'make an infra container (without one, containers share nothing)', 'true')
    .option('--infra-image <image>', 'image of the infra container (default: a local pause image running catatonit -P)')
    .option('--infra-command <command>', "the infra container's command (a JSON array or one word)")
    .option('--infra-name <name>', 'name of the infra container (default <pod id>-infra)')
    .option('-l, --label <label>', 'set metadata on the pod', collect)
    .option('--hostname <name>', "the pod's hostname (default: the pod's name)")
    .option('--add-host <host:ip>', 'add a custom host-to-IP mapping to /etc/hosts', collect)
    .option('--dns <ip>', 'set custom DNS servers', collect)
    .option('--dns-search <domain>', 'set custom DNS search domains', collect)
    .option('--dns-option <option>', 'set DNS options', collect)
    .option('--cpus <number>', 'CPUs the containers of the pod share (the pod cgroup limit)')
    .option('-m, --memory <bytes>', 'memory the containers of the pod share (the pod cgroup limit)')
    .option('--userns <mode>', 'user namespace of the pod and its containers: host (default), auto')
    .action(async (arg: string | undefined, o: Opts) => {
      if (arg && o.name && arg !== o.name) throw invalidArgument('cannot specify a pod name both as an argument and with --name');
      const cmdLine = process.argv.slice(1);
      const engine = await app.engine();
      const infraCommand = o.infraCommand === undefined ? undefined : o.infraCommand.startsWith('[') ? (JSON.parse(o.infraCommand) as string[]) : [o.infraCommand];
      const id = await engine.pods.create({
        ...((arg ?? o.name) ? { name: (arg ?? o.name)! } : {}),
        ...(o.hostname ? { hostname: o.hostname } : {}),
        labels: labels(o.label),
        ...(o.share !== undefined ? { share: o.share } : {}),
        infra: bool('--infra', o.infra),
        ...(o.infraImage ? { infraImage: o.infraImage } : {}),
        ...(infraCommand ? { infraCommand } : {}),
        ...(o.infraName ? { infraName: o.infraName } : {}),
        ...(o.network ? { network: o.network } : {}),
        publish: (o.publish ?? []).flatMap(parsePublish),
        addHosts: o.addHost ?? [],
        dns: o.dns ?? [],
        dnsSearch: o.dnsSearch ?? [],
        dnsOptions: o.dnsOption ?? [],
        createCommand: cmdLine,
        ...(o.cpus !== undefined ? { cpus: Number(o.cpus) } : {}),
        ...(o.userns ? { userns: o.userns } : {}),
        ...(o.memory !== undefined ? { memory: parseBytes(o.memory) } : {}),
      });
      app.print(id);
    });
  examples(cmd, ['skiff pod create --name web -p 8080:80', 'skiff run -d --pod web nginx', 'skiff pod create --share +pid app']);
}
