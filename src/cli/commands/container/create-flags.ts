import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { Option, type Command } from 'commander';
import { collect } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';
import type { ContainerCreateOptions, MountRequest, UsernsMode } from '../../../core/runtime/create-options.js';
import { parseTmpfsFlag } from '../../../core/runtime/mounts.js';
import { parseDeviceFlag } from '../../../core/runtime/devices.js';
import { parseSecurityOpts } from '../../../core/runtime/security-opts.js';
import { parseSeccompProfile } from '../../../core/runtime/seccomp/resolve.js';
import { parseIdMap } from '../../../core/runtime/spec.js';
import { parseBytes } from '../../../core/runtime/units.js';
import type { ContainerCreateRequest } from '../../../engine/containers/types.js';
import { parsePublish } from '../../../engine/networks/ports.js';
import { parseRestartFlag } from '../../../engine/containers/restart-policy.js';
import { addHealthFlags, healthRequest, type HealthFlags } from './health-flags.js';

/** The flags `run` and `create` share, named as docker/podman name them. */
export interface CreateFlags extends HealthFlags {
  name?: string;
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
  networkAlias?: string[];
  macAddress?: string;
  publish?: string[];
  publishAll?: boolean;
  userns?: string;
  uidmap?: string[];
  gidmap?: string[];
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
}

export function addCreateFlags(cmd: Command): Command {
  return addHealthFlags(cmd)
    .helpOption('--help', 'display help for command')
    .option('--name <name>', 'assign a name to the container')
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
    .option('--network-alias <alias>', 'add a network-scoped alias for the container', collect)
    .option('--mac-address <mac>', 'container MAC address on the (first) network')
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
    .option('--ipc <mode>', 'IPC namespace: host, private')
    .option('--uts <mode>', 'UTS namespace: host, private')
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

function envFileLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => (l.includes('=') ? l : `${l}=${process.env[l] ?? ''}`));
}

function envFlag(e: string): string {
  // `-e NAME` passes the caller's value through, as docker does.
  return e.includes('=') ? e : `${e}=${process.env[e] ?? ''}`;
}

/** `-v /host:/ctr[:opts]` binds a path, `-v NAME:/ctr[:opts]` mounts a named volume, `-v /ctr[:opts]` an anonymous one. */
function volumeFlag(v: string): MountRequest {
  const parts = v.split(':');
  if (parts.length === 1 || (parts.length === 2 && !parts[1]!.startsWith('/'))) {
    const [dst, opts] = parts as [string, string | undefined];
    if (!dst.startsWith('/')) throw invalidArgument(`invalid volume specification "${v}": the destination must be absolute`);
    return { type: 'volume', destination: dst, options: opts ? opts.split(',') : [] };
  }
  if (parts.length > 3) throw invalidArgument(`invalid volume specification "${v}": want [SRC:]DST[:OPTS]`);
  const [src, dst, opts] = parts as [string, string, string | undefined];
  if (!dst.startsWith('/')) throw invalidArgument(`invalid volume specification "${v}": the destination must be absolute`);
  const options = opts ? opts.split(',') : [];
  if (!src.startsWith('/') && !src.startsWith('.')) return { type: 'volume', name: src, destination: dst, options };
  return { type: 'bind', source: resolvePath(src), destination: dst, options };
}

function mountFlag(spec: string): MountRequest {
  const kv = new Map<string, string>();
  for (const part of spec.split(',')) {
    const [k, v] = part.split('=', 2) as [string, string | undefined];
    kv.set(k, v ?? 'true');
  }
  const type = kv.get('type') ?? 'volume';
  const target = kv.get('target') ?? kv.get('destination') ?? kv.get('dst');
  if (!target) throw invalidArgument(`invalid --mount "${spec}": target is required`);
  const ro = kv.get('readonly') === 'true' || kv.get('ro') === 'true' || kv.has('readonly') && kv.get('readonly') !== 'false';
  if (type === 'tmpfs') {
    const size = kv.get('tmpfs-size');
    const mode = kv.get('tmpfs-mode');
    return parseTmpfsFlag(`${target}:${[ro ? 'ro' : 'rw', ...(size ? [`size=${size}`] : []), ...(mode ? [`mode=${mode}`] : [])].join(',')}`);
  }
  if (type === 'volume') {
    if (kv.has('volume-opt') || (kv.get('volume-driver') ?? 'local') !== 'local') {
      throw invalidArgument(`invalid --mount "${spec}": only the local volume driver without options is supported`);
    }
    const name = kv.get('source') ?? kv.get('src');
    const nocopy = kv.has('volume-nocopy') && kv.get('volume-nocopy') !== 'false';
    return { type: 'volume', ...(name ? { name } : {}), destination: target, options: [ro ? 'ro' : 'rw', ...(nocopy ? ['nocopy'] : [])] };
  }
  if (type !== 'bind') throw invalidArgument(`--mount type=${type} is not supported yet`);
  const source = kv.get('source') ?? kv.get('src');
  if (!source) throw invalidArgument(`invalid --mount "${spec}": source is required for a bind mount`);
  const options = [ro ? 'ro' : 'rw'];
  const prop = kv.get('bind-propagation');
  if (prop) options.push(prop);
  return { type: 'bind', source: resolvePath(source), destination: target, options };
}

function nsMode(v: string | undefined): 'host' | 'private' | { path: string } | undefined {
  if (v === undefined) return undefined;
  if (v === 'host' || v === 'private') return v;
  if (v.startsWith('ns:')) return { path: v.slice(3) };
  throw invalidArgument(`unsupported namespace mode "${v}"`);
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
export function createRequest(image: string, command: string[], f: CreateFlags): ContainerCreateRequest {
  const sec = parseSecurityOpts(f.securityOpt ?? []);
  if (sec.seccompProfilePath) {
    sec.security.seccomp = parseSeccompProfile(JSON.parse(readFileSync(sec.seccompProfilePath, 'utf8')), sec.seccompProfilePath);
  }
  let userns: UsernsMode | undefined;
  if (f.uidmap?.length || f.gidmap?.length) {
    const uids = (f.uidmap ?? f.gidmap ?? []).map(parseIdMap);
    const gids = (f.gidmap ?? f.uidmap ?? []).map(parseIdMap);
    userns = { mode: 'private', uidMappings: uids, gidMappings: gids };
  } else if (f.userns === 'host' || f.userns === undefined) {
    userns = undefined;
  } else if (f.userns === 'auto' || f.userns === 'private') {
    const m = [{ containerID: 0, hostID: 100000, size: 65536 }];
    userns = { mode: 'private', uidMappings: m, gidMappings: m };
  } else {
    throw invalidArgument(`unsupported --userns "${f.userns}": use host, auto, or --uidmap/--gidmap`);
  }
  const opts: ContainerCreateOptions = {
    ...(command.length ? { command } : {}),
    ...(f.entrypoint !== undefined ? { entrypoint: f.entrypoint === '' ? [''] : [f.entrypoint] } : {}),
    env: [...(f.envFile ?? []).flatMap(envFileLines), ...(f.env ?? []).map(envFlag)],
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
    mounts: [...(f.volume ?? []).map(volumeFlag), ...(f.mount ?? []).map(mountFlag)],
    devices: (f.device ?? []).map(parseDeviceFlag),
    ...(f.shmSize ? { shmSize: parseBytes(f.shmSize) } : {}),
    sysctls: keyValues(f.sysctl, '--sysctl'),
    ulimits: f.ulimit ?? [],
    ...(f.init ? { init: f.initPath ?? '/usr/bin/catatonit' } : {}),
    tty: !!f.tty,
    stdinOpen: !!f.interactive,
    ...(userns ? { userns } : {}),
    ...(nsMode(f.pid) ? { pid: nsMode(f.pid)! } : {}),
    ...(nsMode(f.ipc) ? { ipc: nsMode(f.ipc)! } : {}),
    ...(nsMode(f.uts) ? { uts: nsMode(f.uts)! } : {}),
    ...(f.cgroupns === 'host' || f.cgroupns === 'private' ? { cgroupns: f.cgroupns } : {}),
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
    opts,
    autoRemove: !!f.rm,
    ...(f.stopTimeout !== undefined ? { stopTimeout: num(f.stopTimeout, '--stop-timeout')! } : {}),
    ...(f.runtime ? { runtime: f.runtime } : {}),
    ...(f.restart ? { restartPolicy: parseRestartFlag(f.restart) } : {}),
    ...healthRequest(f),
    ...(f.net ?? f.network ? { network: (f.net ?? f.network)!.join(',') } : {}),
    networkOpts: {
      ...(f.ip ? { ip: f.ip } : {}),
      ...(f.networkAlias?.length ? { aliases: f.networkAlias } : {}),
      ...(f.macAddress ? { mac: f.macAddress } : {}),
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
