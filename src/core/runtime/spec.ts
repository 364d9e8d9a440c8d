/**
 * @module spec
 * Image config + run options + host facts → the OCI runtime spec (config.json), following
 * Podman 4.3's rootful defaults. Pure: the caller reads passwd/group, seccomp files and host
 * facts, and writes the result.
 */
import { failedPrecondition, invalidArgument } from '../errdefs.js';
import type { ImageRunConfig } from '../images/oci.js';
import { allCapabilities, mergeCapabilities, normalizeCapability } from './capabilities.js';
import { buildEnv, commandArgs, workingDir } from './command.js';
import type { ContainerCreateOptions, NamespaceMode, NamespaceRequest, RunFiles } from './create-options.js';
import { deviceAccess } from './devices.js';
import { resolveUser } from './etc-files.js';
import type { HostFacts } from './host-facts.js';
import { combineMounts, initMount, parseTmpfsFlag, standardMounts, userMount } from './mounts.js';
import { buildResources, cgroupsPath } from './resources.js';
import { buildRlimits } from './rlimits.js';
import { DEFAULT_SECCOMP_PROFILE } from './seccomp/default-profile.js';
import type { DockerSeccompProfile } from './seccomp/profile-types.js';
import { seccompFor } from './seccomp/resolve.js';
import type { Capabilities, IDMapping, Mount, Namespace, RootfsPropagation, Seccomp, Spec } from './spec-types.js';
import { buildSysctls } from './sysctls.js';
import { parseBytes } from './units.js';

export const OCI_VERSION = '1.0.2-dev';

/** Where `--init` puts the init binary inside the container. */
export const INIT_PATH = '/run/skiff-init';

export const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/fs/selinux',
  '/sys/dev/block',
];

export const READONLY_PATHS = ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * Every group may open ICMP echo sockets, so `ping` works without CAP_NET_RAW (which skiff, like
 * Podman, leaves out of the default set); dockerd and Podman set the same. Only in the
 * container's own network namespace: on the host's it would change the host.
 */
export const DEFAULT_SYSCTLS: Record<string, string> = { 'net.ipv4.ping_group_range': '0 2147483647' };

/**
 * The kernel refuses a ping_group_range reaching gids its user namespace does not map, so in a
 * user namespace the range ends where the mapping from gid 0 ends.
 */
function pingRange(defaults: Record<string, string>, gidMappings: IDMapping[] | undefined): Record<string, string> {
  const range = defaults['net.ipv4.ping_group_range'];
  if (!gidMappings || range === undefined) return defaults;
  // Contiguous ranges from gid 0 count as one (rootless skiff's own map: 0 = the user, 1.. = subgids).
  let end = 0;
  for (let m = gidMappings.find((x) => x.containerID === 0); m; m = gidMappings.find((x) => x.containerID === end)) end += m.size;
  const { 'net.ipv4.ping_group_range': _drop, ...rest } = defaults;
  return end > 0 ? { ...rest, 'net.ipv4.ping_group_range': `0 ${end - 1}` } : rest;
}

export interface SpecDefaults {
  capabilities: string[];
  ulimits: string[];
  pidsLimit: number;
  shmSize: string;
  /** The configured profile (skiff.conf `seccompProfile`, read by the caller); unset = skiff's own. */
  seccompProfile?: DockerSeccompProfile;
  /** Unset = DEFAULT_SYSCTLS. */
  sysctls?: Record<string, string>;
}

export interface GenerateSpecInput {
  image: ImageRunConfig;
  opts: ContainerCreateOptions;
  rootfs: string;
  host: HostFacts;
  /** The image's /etc/passwd and /etc/group, read by the caller (absent if the image has none). */
  passwd?: string;
  group?: string;
  containerId: string;
  defaults: SpecDefaults;
  /** Host-side files to bind-mount (hosts, resolv.conf, hostname, .containerenv, shm). */
  files?: RunFiles;
  /** Receives notes about options that were adjusted to fit the host (e.g. a skipped oomScoreAdj). */
  warnings?: string[];
}

function nsEntry(type: Namespace['type'], mode: NamespaceRequest | 'shareable'): Namespace | undefined {
  if (mode === 'host') return undefined;
  if (mode === 'private' || mode === 'shareable') return { type };
  // The engine resolves a container's name to its /proc path before the spec is made.
  if ('container' in mode) throw invalidArgument(`the ${type} namespace of container ${mode.container} was not resolved`);
  return { type, path: mode.path };
}

function maps(mappings: IDMapping[], id: number): boolean {
  return mappings.some((m) => id >= m.containerID && id < m.containerID + m.size);
}

function checkMappings(kind: string, mappings: IDMapping[]): void {
  if (mappings.length === 0) throw invalidArgument(`a user namespace needs at least one ${kind} mapping`);
  for (const m of mappings) {
    if (![m.containerID, m.hostID, m.size].every((n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32) || m.size === 0) {
      throw invalidArgument(`invalid ${kind} mapping ${m.containerID}:${m.hostID}:${m.size}`);
    }
  }
}

/** `--uidmap 0:100000:65536` (container:host:size). */
export function parseIdMap(s: string): IDMapping {
  const parts = s.split(':');
  if (parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) {
    throw invalidArgument(`invalid ID mapping ${JSON.stringify(s)}: expected container:host:size`);
  }
  const [containerID, hostID, size] = parts.map(Number) as [number, number, number];
  return { containerID, hostID, size };
}

function processCapabilities(bounding: string[], uid: number, capAdd: string[], lastCap: number): Capabilities {
  if (uid === 0) return { bounding, effective: bounding, permitted: bounding };
  // Podman: a non-root user starts with no effective capabilities, except those explicitly
  // added, which are also made ambient so they survive the exec into the user's program.
  const added = mergeCapabilities([], capAdd, [], lastCap).filter((c) => bounding.includes(c));
  const caps: Capabilities = { bounding, effective: added, permitted: added };
  if (added.length) {
    caps.inheritable = added;
    caps.ambient = added;
  }
  return caps;
}

function rootfsPropagation(mounts: Mount[]): RootfsPropagation | undefined {
  const opts = mounts.filter((m) => m.type === 'bind').flatMap((m) => m.options ?? []);
  if (opts.some((o) => o === 'shared' || o === 'rshared')) return 'shared';
  if (opts.some((o) => o === 'slave' || o === 'rslave')) return 'slave';
  return undefined;
}

function seccompProfile(input: GenerateSpecInput, bounding: string[]): Seccomp | undefined {
  const { opts, host, defaults } = input;
  const requested = opts.security?.seccomp;
  if (requested === 'unconfined') return undefined;
  if (!host.seccomp) {
    if (requested) throw failedPrecondition('seccomp profile requested but the kernel has no seccomp support');
    return undefined;
  }
  // Like Podman: --privileged turns the default profile off, but an explicit one still applies.
  if (opts.privileged && !requested) return undefined;
  const profile = requested ?? defaults.seccompProfile ?? DEFAULT_SECCOMP_PROFILE;
  return seccompFor(profile, bounding, host.arch, { kernel: host.kernel });
}

export function generateSpec(input: GenerateSpecInput): Spec {
  const { image, opts, host, defaults, containerId } = input;
  const warnings = input.warnings ?? [];
  const files = input.files ?? {};
  const privileged = opts.privileged ?? false;
  if (!/^[0-9a-zA-Z][0-9a-zA-Z_.-]*$/.test(containerId)) throw invalidArgument(`invalid container ID ${JSON.stringify(containerId)}`);

  const network = opts.network ?? { mode: 'none' };
  const netMode: NamespaceMode =
    network.mode === 'host' ? 'host' : network.mode === 'none' ? 'private' : { path: network.path };
  const pidMode = opts.pid ?? 'private';
  const ipcMode = opts.ipc ?? 'private';
  const utsMode = opts.uts ?? 'private';
  const cgroupns = opts.cgroupns ?? (host.cgroupVersion === 2 ? 'private' : 'host');
  const userns = opts.userns ?? { mode: 'host' };

  // Hostname: a container in its own UTS namespace gets one; on the host network it defaults
  // to the host's, as in Docker.
  let hostname: string | undefined;
  if (utsMode === 'private') {
    hostname = opts.hostname || (network.mode === 'host' ? host.hostname : containerId.slice(0, 12));
  } else if (opts.hostname) {
    throw invalidArgument('cannot set a hostname when the UTS namespace is not private');
  }
  const envHostname = hostname ?? host.hostname;

  const user = resolveUser(opts.user || image.User || '', input.passwd, input.group, opts.groupAdd);

  const lastCap = host.lastCap;
  // The engine cannot grant what its own bounding set lacks (runc: "unable to apply caps"), so
  // --privileged means "everything the engine has", as in Podman, and cap-add is trimmed to it.
  const grantable = host.boundingCaps ?? allCapabilities(lastCap);
  const wanted = privileged
    ? mergeCapabilities(grantable, [], opts.capDrop ?? [], lastCap)
    : mergeCapabilities(defaults.capabilities, opts.capAdd ?? [], opts.capDrop ?? [], lastCap);
  const bounding = wanted.filter((c) => grantable.includes(c));
  const missing = wanted.filter((c) => !grantable.includes(c));
  if (missing.length) warnings.push(`capabilities ${missing.join(', ')} are not available to the engine and were left out`);
  // Privileged already grants everything, but a misspelt --cap-add is still an error.
  if (privileged) for (const c of opts.capAdd ?? []) normalizeCapability(c);

  let args = commandArgs(image, opts);
  const userMounts: Mount[] = [];
  if (opts.init) {
    args = [INIT_PATH, '--', ...args];
    userMounts.push(initMount(opts.init, INIT_PATH));
  }
  for (const t of opts.tmpfs ?? []) userMounts.push(userMount(parseTmpfsFlag(t)));
  for (const m of opts.mounts ?? []) userMounts.push(userMount(m));
  if (opts.readOnly && opts.readOnlyTmpfs !== false) {
    for (const d of ['/run', '/tmp', '/var/tmp']) {
      if (!userMounts.some((m) => m.destination === d)) {
        userMounts.push({ destination: d, type: 'tmpfs', source: 'tmpfs', options: ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup'] });
      }
    }
  }

  const namespaces: Namespace[] = [];
  for (const [type, mode] of [
    ['pid', pidMode],
    ['network', netMode],
    ['ipc', ipcMode],
    ['uts', utsMode],
    ['mount', 'private'],
  ] as [Namespace['type'], NamespaceRequest | 'shareable'][]) {
    const e = nsEntry(type, mode);
    if (e) namespaces.push(e);
  }
  if (cgroupns === 'private') namespaces.push({ type: 'cgroup' });
  let uidMappings: IDMapping[] | undefined;
  let gidMappings: IDMapping[] | undefined;
  if (userns.mode !== 'host') {
    checkMappings('uid', userns.uidMappings);
    checkMappings('gid', userns.gidMappings);
    uidMappings = userns.uidMappings;
    gidMappings = userns.gidMappings;
    namespaces.push(userns.mode === 'path' ? { type: 'user', path: userns.path } : { type: 'user' });
    if (!maps(uidMappings, user.uid)) throw invalidArgument(`user ${user.uid} is not mapped in the user namespace`);
  }

  const shmSize = opts.shmSize ?? parseBytes(defaults.shmSize);
  const defaultMounts = standardMounts({
    privileged,
    hostNetwork: network.mode === 'host',
    hostIpc: ipcMode === 'host',
    ptsGid5: gidMappings ? maps(gidMappings, 5) : true,
    shmSize,
    files,
  });
  const mounts = combineMounts(defaultMounts, userMounts);

  const devices = deviceAccess(
    opts.devices ?? [],
    host.devices,
    privileged,
    userMounts.map((m) => m.destination),
  );

  const rlimits = buildRlimits(defaults.ulimits, opts.ulimits ?? [], host.rlimits);

  const spec: Spec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: opts.tty ?? false,
      user: {
        uid: user.uid,
        gid: user.gid,
        umask: 0o022,
        ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}),
      },
      args,
      env: buildEnv({ image, opts, hostname: envHostname, home: user.home }),
      cwd: workingDir(image, opts.workdir),
      capabilities: processCapabilities(bounding, user.uid, opts.capAdd ?? [], lastCap),
      rlimits,
    },
    root: { path: input.rootfs, ...(opts.readOnly ? { readonly: true } : {}) },
    ...(hostname !== undefined ? { hostname } : {}),
    mounts,
    annotations: {
      'io.container.manager': 'skiff',
      ...(opts.stopSignal || image.StopSignal
        ? { 'org.opencontainers.image.stopSignal': (opts.stopSignal || image.StopSignal)! }
        : {}),
      ...(opts.annotations ?? {}),
    },
    linux: {
      namespaces,
      ...(host.cgroups === false
        ? {}
        : {
            resources: { devices: devices.cgroup, ...buildResources(opts.resources ?? {}, defaults.pidsLimit) },
            cgroupsPath: cgroupsPath(host.cgroupManager, containerId, opts.cgroupParent),
          }),
    },
  };
  const p = spec.process;
  const linux = spec.linux;

  if (opts.security?.noNewPrivileges) p.noNewPrivileges = true;
  const aa = opts.security?.apparmor;
  if (aa && aa !== 'unconfined') {
    if (host.apparmor) p.apparmorProfile = aa;
    else warnings.push(`apparmor profile ${aa} ignored: AppArmor is not enabled on this host`);
  }
  if (opts.oomScoreAdj !== undefined) {
    if (opts.oomScoreAdj < -1000 || opts.oomScoreAdj > 1000) throw invalidArgument('oom-score-adj must be between -1000 and 1000');
    if (opts.oomScoreAdj >= host.oomScoreAdj || host.canLowerOom) p.oomScoreAdj = opts.oomScoreAdj;
    else warnings.push(`oom-score-adj ${opts.oomScoreAdj} ignored: lowering it below ${host.oomScoreAdj} needs CAP_SYS_RESOURCE`);
  }

  if (uidMappings && gidMappings) {
    linux.uidMappings = uidMappings;
    linux.gidMappings = gidMappings;
  }
  if (devices.devices.length) linux.devices = devices.devices;

  const seccomp = seccompProfile(input, bounding);
  if (seccomp) linux.seccomp = seccomp;

  const sysctl = buildSysctls(pingRange(defaults.sysctls ?? DEFAULT_SYSCTLS, gidMappings ?? host.ownGidMap), opts.sysctls ?? {}, {
    net: network.mode === 'none' || network.mode === 'bridge',
    ipc: ipcMode === 'private' || ipcMode === 'shareable',
    uts: utsMode === 'private',
  });
  if (Object.keys(sysctl).length) linux.sysctl = sysctl;

  if (!privileged) {
    linux.maskedPaths = [...MASKED_PATHS];
    linux.readonlyPaths = [...READONLY_PATHS];
  }
  const prop = rootfsPropagation(mounts);
  if (prop) linux.rootfsPropagation = prop;

  return spec;
}
