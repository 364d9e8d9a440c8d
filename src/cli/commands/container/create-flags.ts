import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { collect } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';
import type { ContainerCreateOptions } from '../../../core/runtime/create-options.js';
import { parseDeviceFlag } from '../../../core/runtime/devices.js';
import { parseSecurityOpts } from '../../../core/runtime/security-opts.js';
import { parseSeccompProfile } from '../../../core/runtime/seccomp/resolve.js';
import { parseBytes } from '../../../core/runtime/units.js';
import type { CreateInput, MountSpec } from '../../../engine/containers/create-input.js';
import { parsePublish } from '../../../engine/networks/ports.js';
import { addHealthFlags, healthRequest, type HealthFlags } from './health-flags.js';

/** The flags `run` and `create` share, named as docker/podman name them. */
/** The limit flags `create` and `update` share. */
export interface ResourceFlags {
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  cpus?: string;
  cpuShares?: string;
  cpuQuota?: string;
  cpuPeriod?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: string;
  blkioWeight?: string;
}

export interface CreateFlags extends HealthFlags, ResourceFlags {
  name?: string;
  pod?: string;
  env?: string[];
  envFile?: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  label?: string[];
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  securityOpt?: string[];
  readOnly?: boolean;
  tmpfs?: string[];
  volume?: string[];
  volumesFrom?: string[];
  mount?: string[];
  device?: string[];
  shmSize?: string;
  sysctl?: string[];
  ulimit?: string[];
  init?: boolean;
  initPath?: string;
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  entrypoint?: string;
  network?: string[];
  net?: string[];
  ip?: string;
  ip6?: string;
  networkAlias?: string[];
  macAddress?: string;
  publish?: string[];
  publishAll?: boolean;
  userns?: string;
  uidmap?: string[];
  gidmap?: string[];
  stopSignal?: string;
  stopTimeout?: string;
  runtime?: string;
  addHost?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  groupAdd?: string[];
  oomScoreAdj?: string;
  pid?: string;
  ipc?: string;
  uts?: string;
  cgroupns?: string;
  cgroupParent?: string;
  pull?: string;
  logDriver?: string;
  logOpt?: string[];
  restart?: string;
  link?: string[];
  linkLocalIp?: string[];
}

export function addCreateFlags(cmd: Command): Command {
  return addHealthFlags(cmd)
    .helpOption('--help', 'display help for command')
    .option('--name <name>', 'assign a name to the container')
    .option('--pod <pod>', 'run in a pod (its network, IPC and hostname); new:NAME creates the pod')
    .option('-e, --env <KEY=VALUE>', 'set environment variables', collect)
    .option('--env-file <file>', 'read in a file of environment variables', collect)
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user[:group]>', 'username or UID (format: <name|uid>[:<group|gid>])')
    .option('-h, --hostname <name>', 'container host name')
    .option('-l, --label <key=value>', 'set metadata on the container', collect)
    .option('--privileged', 'give extended privileges to this container')
    .option('--cap-add <cap>', 'add Linux capabilities', collect)
    .option('--cap-drop <cap>', 'drop Linux capabilities', collect)
    .option('--security-opt <opt>', 'security options: seccomp=unconfined|FILE, no-new-privileges, label=disable, apparmor=...', collect)
    .option('--read-only', "mount the container's root filesystem as read only")
    .option('--tmpfs <dir[:opts]>', 'mount a tmpfs directory', collect)
    .option('-v, --volume <src:dst[:opts]>', 'bind mount a volume', collect)
    .option('--volumes-from <container[:ro|rw]>', "mount the volumes and binds of another container", collect)
    .option('--mount <spec>', 'attach a filesystem mount: type=bind|volume|tmpfs,source=..,target=..[,readonly]', collect)
    .option('--device <host[:ctr][:perms]>', 'add a host device to the container', collect)
    .option('--shm-size <size>', 'size of /dev/shm', undefined)
    .option('--sysctl <key=value>', 'sysctl options', collect)
    .option('--ulimit <name=soft[:hard]>', 'ulimit options', collect)
    .option('--init', 'run an init inside the container that forwards signals and reaps processes')
    .option('--init-path <path>', 'path to the container-init binary')
    .option('-i, --interactive', 'keep STDIN open even if not attached')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('--rm', 'automatically remove the container when it exits')
    .option('--entrypoint <cmd>', 'overwrite the default ENTRYPOINT of the image')
    .option('--network <mode>', 'connect a container to a network: bridge (default), NAME[,NAME], none, host, container:NAME, ns:PATH', collect)
    .addOption(new Option('--net <mode>').hideHelp().argParser(collect))
    .option('--ip <address>', 'IPv4 address on the (first) network')
    .option('--ip6 <address>', 'IPv6 address on the (first) network, one with IPv6')
    .option('--network-alias <alias>', 'add a network-scoped alias for the container', collect)
    .option('--mac-address <mac>', 'container MAC address on the (first) network')
    .option('--link-local-ip <address>', 'container IPv4/IPv6 link-local addresses on the (first) network', collect)
    .option('-p, --publish <[ip:]host:container[/proto]>', "publish a container's port(s) to the host", collect)
    .option('-P, --publish-all', 'publish all exposed ports to random host ports')
    .option('--userns <mode>', 'user namespace: host, or private with --uidmap/--gidmap')
    .option('--uidmap <ctr:host:size>', 'UID map for the user namespace', collect)
    .option('--gidmap <ctr:host:size>', 'GID map for the user namespace', collect)
    .option('-m, --memory <bytes>', 'memory limit')
    .option('--memory-swap <bytes>', "swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    .option('--memory-reservation <bytes>', 'memory soft limit')
    .option('--cpus <number>', 'number of CPUs')
    .option('-c, --cpu-shares <shares>', 'CPU shares (relative weight)')
    .option('--cpu-quota <us>', 'limit the CPU CFS quota')
    .option('--cpu-period <us>', 'limit the CPU CFS period')
    .option('--cpuset-cpus <list>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <list>', 'memory nodes in which to allow execution')
    .option('--pids-limit <n>', 'tune container pids limit (-1 for unlimited)')
    .option('--blkio-weight <weight>', 'block IO weight (10-1000)')
    .option('--stop-signal <signal>', 'signal to stop the container')
    .option('--stop-timeout <seconds>', 'timeout to stop the container')
    .option('--runtime <name|path>', 'OCI runtime to use: runc, crun, or a path')
    .option('--add-host <host:ip>', 'add a custom host-to-IP mapping', collect)
    .option('--dns <ip>', 'set custom DNS servers', collect)
    .option('--dns-search <domain>', 'set custom DNS search domains', collect)
    .option('--dns-option <opt>', 'set DNS options', collect)
    .option('--group-add <group>', 'add additional groups to join', collect)
    .option('--oom-score-adj <n>', "tune the host's OOM preferences (-1000 to 1000)")
    .option('--pid <mode>', 'PID namespace: host, private, container:NAME')
    .option('--ipc <mode>', 'IPC namespace: host, private, shareable, container:NAME')
    .option('--uts <mode>', 'UTS namespace: host, private')
    .option('--link <name[:alias]>', 'add a link to another container', collect)
    .option('--cgroupns <mode>', 'cgroup namespace: host, private')
    .option('--cgroup-parent <path>', 'optional parent cgroup for the container')
    .option('--pull <policy>', 'pull image before running: missing, always, never', 'missing')
    .option('--log-driver <driver>', 'logging driver: json-file (default), k8s-file, journald, none')
    .option('--log-opt <key=value>', 'log driver options: max-size=10m, max-file=1, tag=… (journald)', collect)
    .option('--restart <policy>', 'restart policy: no, always, on-failure[:max-retries], unless-stopped');
}

function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalidArgument(`invalid value for ${flag}: "${v}"`);
  return n;
}

function bytes(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (v === '-1') return -1;
  return parseBytes(v);
}

/**
 * `-e NAME` (and a bare NAME in an env file) passes the caller's value through, as docker and
 * podman do; when the caller has no NAME the entry is dropped rather than set empty.
 */
function envFlag(e: string): string[] {
  if (e.includes('=')) return [e];
  const v = process.env[e];
  return v === undefined ? [] : [`${e}=${v}`];
}

function envFileLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .flatMap(envFlag);
}

/** `--mount type=…,source=…,target=…`: its key=value syntax read into the engine's MountSpec. */
function mountFlag(spec: string): MountSpec {
  const kv = new Map<string, string>();
  const volumeOptions: Record<string, string> = {};
  const volumeLabels: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    const [k, v] = eq < 0 ? [part, undefined] : [part.slice(0, eq), part.slice(eq + 1)];
    if (k === 'volume-opt' || k === 'volume-label') {
      const inner = (v ?? '').indexOf('=');
      const [ok, ov] = inner < 0 ? [v ?? '', ''] : [v!.slice(0, inner), v!.slice(inner + 1)];
      (k === 'volume-opt' ? volumeOptions : volumeLabels)[ok] = ov;
    } else kv.set(k, v ?? 'true');
  }
  const flag = (k: string) => kv.has(k) && kv.get(k) !== 'false' && kv.get(k) !== '0';
  const mode = kv.get('tmpfs-mode');
  return {
    type: kv.get('type') ?? 'volume',
    ...(kv.has('source') || kv.has('src') ? { source: kv.get('source') ?? kv.get('src')! } : {}),
    ...(kv.has('target') || kv.has('destination') || kv.has('dst') ? { target: kv.get('target') ?? kv.get('destination') ?? kv.get('dst')! } : {}),
    readOnly: flag('readonly') || flag('ro'),
    ...(kv.has('bind-propagation') ? { propagation: kv.get('bind-propagation')! } : {}),
    noCopy: flag('volume-nocopy'),
    ...(kv.has('volume-driver') ? { volumeDriver: kv.get('volume-driver')! } : {}),
    ...(Object.keys(volumeOptions).length ? { volumeOptions } : {}),
    ...(Object.keys(volumeLabels).length ? { volumeLabels } : {}),
    ...(kv.has('tmpfs-size') ? { tmpfsSize: kv.get('tmpfs-size')! } : {}),
    ...(mode !== undefined ? { tmpfsMode: parseInt(mode, 8) } : {}),
  };
}

function keyValues(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0 && flag !== '--label') throw invalidArgument(`invalid ${flag} "${kv}": want KEY=VALUE`);
    out[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
  }
  return out;
}

/** Flags → the engine's create request. Files named by flags (env files, seccomp profiles) are read here. */
export function createRequest(image: string, command: string[], f: CreateFlags): CreateInput {
  const sec = parseSecurityOpts(f.securityOpt ?? []);
  if (sec.seccompProfilePath) {
    sec.security.seccomp = parseSeccompProfile(JSON.parse(readFileSync(sec.seccompProfilePath, 'utf8')), sec.seccompProfilePath);
  }
  const opts: ContainerCreateOptions = {
    ...(command.length ? { command } : {}),
    ...(f.entrypoint !== undefined ? { entrypoint: f.entrypoint === '' ? [''] : [f.entrypoint] } : {}),
    env: [...(f.envFile ?? []).flatMap(envFileLines), ...(f.env ?? []).flatMap(envFlag)],
    ...(f.workdir ? { workdir: f.workdir } : {}),
    ...(f.user ? { user: f.user } : {}),
    ...(f.groupAdd ? { groupAdd: f.groupAdd } : {}),
    ...(f.hostname ? { hostname: f.hostname } : {}),
    labels: keyValues(f.label, '--label'),
    privileged: !!f.privileged,
    capAdd: f.capAdd ?? [],
    capDrop: f.capDrop ?? [],
    security: sec.security,
    readOnly: !!f.readOnly,
    tmpfs: f.tmpfs ?? [],
    devices: (f.device ?? []).map(parseDeviceFlag),
    ...(f.shmSize ? { shmSize: parseBytes(f.shmSize) } : {}),
    sysctls: keyValues(f.sysctl, '--sysctl'),
    ulimits: f.ulimit ?? [],
    tty: !!f.tty,
    stdinOpen: !!f.interactive,
    resources: {
      memory: bytes(f.memory),
      memorySwap: bytes(f.memorySwap),
      memoryReservation: bytes(f.memoryReservation),
      cpus: num(f.cpus, '--cpus'),
      cpuShares: num(f.cpuShares, '--cpu-shares'),
      cpuQuota: num(f.cpuQuota, '--cpu-quota'),
      cpuPeriod: num(f.cpuPeriod, '--cpu-period'),
      cpusetCpus: f.cpusetCpus,
      cpusetMems: f.cpusetMems,
      pidsLimit: num(f.pidsLimit, '--pids-limit'),
      blkioWeight: num(f.blkioWeight, '--blkio-weight'),
    },
    ...(f.oomScoreAdj !== undefined ? { oomScoreAdj: num(f.oomScoreAdj, '--oom-score-adj')! } : {}),
    ...(f.stopSignal ? { stopSignal: f.stopSignal } : {}),
    ...(f.cgroupParent ? { cgroupParent: f.cgroupParent } : {}),
  };
  return {
    image,
    ...(f.name ? { name: f.name } : {}),
    ...(f.pod ? { pod: f.pod } : {}),
    opts,
    autoRemove: !!f.rm,
    ...(f.stopTimeout !== undefined ? { stopTimeout: num(f.stopTimeout, '--stop-timeout')! } : {}),
    ...(f.runtime ? { runtime: f.runtime } : {}),
    ...(f.restart !== undefined ? { restart: f.restart } : {}),
    binds: f.volume ?? [],
    ...(f.volumesFrom?.length ? { volumesFrom: f.volumesFrom } : {}),
    bindBase: process.cwd(),
    mountSpecs: (f.mount ?? []).map(mountFlag),
    ...(f.init ? { initProcess: f.initPath ?? true } : {}),
    namespaces: { pid: f.pid, ipc: f.ipc, uts: f.uts, cgroupns: f.cgroupns },
    ...(f.link?.length ? { linkSpecs: f.link } : {}),
    usernsSpec: { ...(f.userns !== undefined ? { mode: f.userns } : {}), uidmap: f.uidmap ?? [], gidmap: f.gidmap ?? [] },
    ...healthRequest(f),
    ...(f.net ?? f.network ? { network: (f.net ?? f.network)!.join(',') } : {}),
    networkOpts: {
      ...(f.ip ? { ip: f.ip } : {}),
      ...(f.ip6 ? { ip6: f.ip6 } : {}),
      ...(f.networkAlias?.length ? { aliases: f.networkAlias } : {}),
      ...(f.macAddress ? { mac: f.macAddress } : {}),
      ...(f.linkLocalIp?.length ? { linkLocalIps: f.linkLocalIp } : {}),
      publish: (f.publish ?? []).flatMap(parsePublish),
      publishAll: !!f.publishAll,
    },
    netFiles: { addHosts: f.addHost, dns: f.dns, dnsSearch: f.dnsSearch, dnsOptions: f.dnsOption },
    ...(f.logDriver !== undefined || f.logOpt?.length ? { logConfig: { type: f.logDriver ?? '', config: logOpts(f.logOpt) } } : {}),
  };
}

/** `--log-opt k=v`; a bare `k` is passed on with an empty value, for the engine to judge as docker does. */
function logOpts(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    out[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
  }
  return out;
}
