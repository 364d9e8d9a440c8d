import { readFileSync, statfsSync, existsSync } from 'node:fs';
import { hostname, cpus, totalmem, release } from 'node:os';
import type { EngineContext } from '../context.js';
import { hostPlatform } from '../../core/images/oci.js';
import { rootlessUid } from '../../sys/linux/rootless-uid.js';
import { limitsUnavailableReason } from '../containers/rootless-limits.js';

export const SKIFF_VERSION = '0.3.0';
/** The Docker Engine API version the service speaks (the docker CLI 28 negotiates down to it). */
export const API_VERSION = '1.41';
/** The oldest API version the service accepts (dockerd 20.10's floor). */
export const MIN_API_VERSION = '1.24';

export interface VersionInfo {
  Version: string;
  ApiVersion: string;
  GoVersion: string;
  NodeVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  GitCommit: string;
  BuildTime: string;
}

export function versionInfo(): VersionInfo {
  return {
    Version: SKIFF_VERSION,
    ApiVersion: API_VERSION,
    GoVersion: '',
    NodeVersion: process.version,
    Os: 'linux',
    Arch: hostPlatform().architecture,
    KernelVersion: release(),
    GitCommit: '',
    BuildTime: '',
  };
}

const CGROUP2_SUPER_MAGIC = 0x63677270;

export function cgroupVersion(): '1' | '2' {
  try {
    return statfsSync('/sys/fs/cgroup').type === CGROUP2_SUPER_MAGIC ? '2' : '1';
  } catch {
    return '1';
  }
}

export interface SystemInfo {
  host: {
    hostname: string;
    kernel: string;
    os: string;
    arch: string;
    cpus: number;
    memTotal: number;
    cgroupVersion: string;
    distribution: string;
    /** Podman's host.security.rootless: skiff runs for a user who is not root, in their user namespace. */
    security: { rootless: boolean };
    /** Whether containers may have resource limits (cgroups) here, and why not. */
    limits: { available: boolean; reason?: string };
    /** The user namespace's maps (host id ranges), as Podman's host.idMappings; rootless only. */
    idMappings?: { uidmap: IdRange[]; gidmap: IdRange[] };
  };
  store: {
    graphRoot: string;
    runRoot: string;
    graphDriverName: string;
    /** The FUSE program mounting the overlay driver's layers (Podman's overlay.mount_program); absent: the kernel. */
    mountProgram?: string;
    configFile: string;
    imageStore: { number: number };
    containerStore: { number: number };
  };
  version: VersionInfo;
  /** Who runs health probes and restart back-offs here (engine/timers/); set by Engine.info. */
  timers?: { mode: string; pid: number };
}

function distribution(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? '';
  } catch {
    return '';
  }
}

export interface IdRange {
  container_id: number;
  host_id: number;
  size: number;
}

function idMap(file: string): IdRange[] {
  try {
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number))
      .map(([c, h, n]) => ({ container_id: c!, host_id: h!, size: n! }));
  } catch {
    return [];
  }
}

export function systemInfo(ctx: EngineContext, configFile: string): SystemInfo {
  const rootless = rootlessUid() !== undefined;
  const mountProgram = existsSync(ctx.root) && ctx.driverName() === 'overlay' ? ctx.mountProgram() : undefined;
  const images = existsSync(ctx.root) ? ctx.records.images().length : 0;
  return {
    host: {
      hostname: hostname(),
      kernel: release(),
      os: 'linux',
      arch: hostPlatform().architecture,
      cpus: cpus().length,
      memTotal: totalmem(),
      cgroupVersion: cgroupVersion(),
      distribution: distribution(),
      security: { rootless },
      limits: limitsUnavailableReason() === undefined ? { available: true } : { available: false, reason: limitsUnavailableReason() },
      ...(rootless ? { idMappings: { uidmap: idMap('/proc/self/uid_map'), gidmap: idMap('/proc/self/gid_map') } } : {}),
    },
    store: {
      graphRoot: ctx.root,
      runRoot: ctx.runroot,
      graphDriverName: existsSync(ctx.root) ? ctx.driverName() : ctx.config.storage.driver,
      ...(mountProgram ? { mountProgram } : {}),
      configFile,
      imageStore: { number: images },
      containerStore: { number: 0 },
    },
    version: versionInfo(),
  };
}
