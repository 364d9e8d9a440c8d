/**
 * @module create-options
 * Everything `run`/`create` flags say about the container, after the front has read any files
 * (env files, seccomp profiles) and resolved names (volumes → host paths, `container:NAME` →
 * namespace paths). Strings that still need parsing here are the ones whose syntax Docker
 * defines (`--ulimit`, `--tmpfs`, `--device`, `--cap-add`).
 */
import type { IDMapping } from './spec-types.js';
import type { DockerSeccompProfile } from './seccomp/profile-types.js';

/** `private` creates a namespace; `host` shares the engine's; `{ path }` joins an existing one. */
export type NamespaceMode = 'private' | 'host' | { path: string };

/**
 * As the request names it: besides a NamespaceMode, `{ container: ID }` (Docker's
 * `container:NAME`), which the engine turns into that container's /proc path at each start.
 */
export type NamespaceRequest = NamespaceMode | { container: string };

export type NetworkMode =
  /** A new namespace with only loopback. */
  | { mode: 'none' }
  | { mode: 'host' }
  /** A namespace the engine made and wired for this container (bridge networking). */
  | { mode: 'bridge'; path: string }
  /** Another container's namespace (`--network container:ID`): shared, so no net sysctls. */
  | { mode: 'container'; path: string };

export type UsernsMode =
  | { mode: 'host' }
  /** Explicit or allocated mappings (`--uidmap/--gidmap`, `--userns=auto` after allocation). */
  | { mode: 'private'; uidMappings: IDMapping[]; gidMappings: IDMapping[] }
  | { mode: 'path'; path: string; uidMappings: IDMapping[]; gidMappings: IDMapping[] };

export interface BindMountRequest {
  type: 'bind';
  /** Host path (named volumes already resolved to their data dir). */
  source: string;
  destination: string;
  /** Docker's -v/--mount options: ro, rw, z, Z, shared/rslave/private..., nosuid, noexec, nodev, bind, rbind. */
  options?: string[];
  /** Docker's `HostConfig.Binds`: a missing source is made as a directory at create, not refused. */
  createSource?: boolean;
  /** Copied from that container by `--volumes-from` (not one of this container's own Binds). */
  fromContainer?: string;
}

export interface TmpfsMountRequest {
  type: 'tmpfs';
  destination: string;
  /** size=64m, mode=1777, ro, exec, ... */
  options?: string[];
}

/**
 * `-v NAME:/path`, `--mount type=volume`, `-v /path` and the image's VOLUMEs. The engine names
 * anonymous ones at create and turns every one into a bind of its data dir before the spec.
 */
export interface VolumeMountRequest {
  type: 'volume';
  /** Unset until create names an anonymous volume. */
  name?: string;
  /** Set by the engine: removed with the container by `rm -v` / `--rm`. */
  anonymous?: boolean;
  destination: string;
  /** ro, rw, nocopy, z, Z, propagation. */
  options?: string[];
  /** `volume-label` / VolumeOptions.Labels: given to the volume when this create makes it. */
  labels?: Record<string, string>;
  /** `volume-opt` / VolumeOptions.DriverConfig.Options: the local driver's options (`type`, `device`, `o`) for the volume this create makes; an existing volume keeps its own. */
  volumeOptions?: Record<string, string>;
  /** Copied from that container by `--volumes-from` (not one of this container's own Binds). */
  fromContainer?: string;
}

/**
 * Any mount may say it came from `--mount` / `HostConfig.Mounts` rather than `-v` / `Binds`:
 * inspect lists it in `HostConfig.Mounts`, as dockerd does.
 */
export type MountRequest = (BindMountRequest | TmpfsMountRequest | VolumeMountRequest) & { viaMount?: boolean };

/** `--device HOST[:CONTAINER][:PERMS]`. */
export interface DeviceRequest {
  hostPath: string;
  containerPath: string;
  /** Some of r, w, m. */
  permissions: string;
}

export interface SecurityOptions {
  /** `seccomp=unconfined`, or a profile file the caller read and parsed (Docker format). */
  seccomp?: 'unconfined' | DockerSeccompProfile;
  noNewPrivileges?: boolean;
  /** `label=disable`: no SELinux labels (skiff sets none anyway; kept for inspect). */
  labelDisable?: boolean;
  /** `apparmor=PROFILE`; applied only where the host has AppArmor. `unconfined` sets none. */
  apparmor?: string;
}

/** Numbers are bytes / plain counts: the front parses "256m" with `parseBytes`. */
export interface ResourceOptions {
  memory?: number;
  /** Memory + swap; -1 = unlimited swap. */
  memorySwap?: number;
  memoryReservation?: number;
  memorySwappiness?: number;
  oomKillDisable?: boolean;
  /** Fractional CPUs (`--cpus 1.5`). */
  cpus?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** ≤ 0 = unlimited; unset = the configured default. */
  pidsLimit?: number;
  blkioWeight?: number;
}

export interface ContainerCreateOptions {
  /** Replaces the image's Cmd; an empty array counts as not given. */
  command?: string[];
  /** `--entrypoint`: replaces the image's Entrypoint AND drops its Cmd (Docker). `[]` or `['']` = none. */
  entrypoint?: string[];
  /** `-e K=V`, already expanded (a bare `-e K` resolved from the caller's env). Applied after envFile. */
  env?: string[];
  /** KEY=VALUE lines from `--env-file`, comments and blanks removed by the reader. */
  envFile?: string[];
  workdir?: string;
  /** `uid[:gid]`, `name[:group]`; unset = image User, then root. */
  user?: string;
  /** `--group-add`: names or numbers. */
  groupAdd?: string[];
  hostname?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  privileged?: boolean;
  /** `NET_ADMIN`, `CAP_NET_ADMIN` or `ALL`, case-insensitive. */
  capAdd?: string[];
  capDrop?: string[];
  security?: SecurityOptions;
  readOnly?: boolean;
  /** With readOnly: writable tmpfs on /run, /tmp, /var/tmp (Podman's --read-only-tmpfs, default true). */
  readOnlyTmpfs?: boolean;
  /** `--tmpfs /run:rw,size=64m`. */
  tmpfs?: string[];
  mounts?: MountRequest[];
  devices?: DeviceRequest[];
  /** Bytes for the /dev/shm tmpfs; unset = the configured default. */
  shmSize?: number;
  sysctls?: Record<string, string>;
  /** `nofile=1024:2048`, `core=-1`. */
  ulimits?: string[];
  /** Host path of catatonit/tini to run as PID 1. */
  init?: string;
  tty?: boolean;
  stdinOpen?: boolean;
  userns?: UsernsMode;
  network?: NetworkMode;
  pid?: NamespaceRequest;
  /** `shareable` is a private namespace another container may join (dockerd's IpcMode). */
  ipc?: NamespaceRequest | 'shareable';
  uts?: NamespaceMode;
  /** Unset = private on cgroup v2, host on v1 (Podman's containers.conf default). */
  cgroupns?: 'host' | 'private';
  resources?: ResourceOptions;
  oomScoreAdj?: number;
  stopSignal?: string;
  cgroupParent?: string;
}

/** Host-side files the engine prepared for this container, bind-mounted into it. */
export interface RunFiles {
  hosts?: string;
  resolvConf?: string;
  hostname?: string;
  /** Empty marker file, mounted at /run/.containerenv as Podman does. */
  containerEnv?: string;
  /** A tmpfs the engine mounted for /dev/shm; without it the runtime mounts a fresh tmpfs. */
  shm?: string;
}
