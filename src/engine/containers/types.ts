import type { ContainerCreateOptions } from '../../core/runtime/create-options.js';
import type { ImageRunConfig } from '../../core/images/oci.js';
import type { NetworkFileOptions } from './etc-files.js';
import type { ContainerNetState, ContainerNetworkRequest, PortRequest } from '../networks/types.js';
import type { NetworkCreateRequest } from '../networks/container-net.js';
import type { HealthConfig } from '../../core/images/oci.js';
import type { HealthState } from '../../core/health.js';

/** The states a container moves through; `ContainerStatus` guards live in state.ts. */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerStateRecord {
  status: ContainerStatus;
  pid: number;
  conmonPid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  startedAt: string;
  finishedAt: string;
  /** Written by skiff before its container locks (a start in progress); read by nothing now. */
  starting?: number;
  /** The netns and network attachments while it runs (bridge networks). */
  net?: ContainerNetState;
  /** Health checks and restart policies (health.ts, restart.ts). */
  health?: HealthState;
  restartCount?: number;
  /** A user's stop or kill: no restart policy applies to that exit. */
  userStopped?: boolean;
  /** While `restarting`: when the back-off ends (epoch ms), and the delay it used. */
  restartAt?: number;
  restartDelayMs?: number;
  /** The finishedAt of the exit the restart policy was applied to (applied once per exit). */
  policyAppliedTo?: string;
}

/** What `create` was asked for; enough to (re)generate the OCI spec at every start. */
export interface ContainerConfigRecord {
  image: string;
  imageId: string;
  name: string;
  opts: ContainerCreateOptions;
  /** The image's run config at create time (Docker keeps it in Config). */
  imageConfig: ImageRunConfig;
  autoRemove: boolean;
  stopTimeout: number;
  runtime?: string;
  networkMode: string;
  /** Bridge networks by name (network connect/disconnect edit this). */
  networks?: Record<string, ContainerNetworkRequest>;
  /** -p / -P; host port 0 is picked at each start. */
  ports?: PortRequest[];
  /** Ports exposed besides the image's (Docker's ExposedPorts). */
  exposedPorts?: string[];
  /** Applied when the container exits (restart.ts). */
  restartPolicy?: RestartPolicy;
  /** The image's health check merged with the request's; `["NONE"]` disables it. */
  healthcheck?: HealthConfig;
  /** Podman's --health-on-failure: none, kill, restart, stop. */
  healthOnFailure?: string;
  /** The log driver and options as checked at create (log-config.ts); absent in rows from before. */
  logConfig?: LogConfig;
  /** stdin closes when the first attached client goes (Docker's StdinOnce). */
  stdinOnce?: boolean;
  /** --add-host, --dns, --dns-search, --dns-option */
  netFiles?: NetworkFileOptions;
  /** The CLI command line that made it (`generate systemd --new` replays it); absent from the API. */
  createCommand?: string[];
  /** As requested (HostConfig.VolumesFrom); the mounts themselves were copied at create. */
  volumesFrom?: string[];
  /** `--sdnotify`: who tells systemd (NOTIFY_SOCKET of the starting process) that it is ready. */
  sdNotify?: SdNotifyMode;
  /** A build's working container: the build whose lock (held while it runs) owns it. */
  build?: string;
  /** `--link`: the other container's id and the alias it is known by here. */
  links?: { id: string; alias: string }[];
  /** The pod this container belongs to (engine/pods/). */
  pod?: PodMembership;
}

/**
 * A container's place in its pod: the infra container holds the shared namespaces; a member
 * names it, joins its network and IPC (by the modes in its row) and its UTS at each start.
 */
export interface PodMembership {
  id: string;
  /** This container is the pod's infra container. */
  isInfra?: boolean;
  /** A member: the infra container whose namespaces it joins. */
  infra?: string;
  /** A member joins the infra's UTS namespace (the pod's hostname). */
  uts?: boolean;
}

/**
 * conmon: skiff sends READY=1 (and conmon's PID as MAINPID) once the container started;
 * container: the container's own process gets NOTIFY_SOCKET (conmon relays); ignore: nothing.
 */
export type SdNotifyMode = 'conmon' | 'container' | 'healthy' | 'ignore';

export interface ContainerRecord {
  id: string;
  name: string;
  imageId: string | null;
  layerId: string | null;
  created: number;
  config: ContainerConfigRecord;
  state: ContainerStateRecord;
}

/** `skiff create` / `run` input: the image and the options. */
export interface ContainerCreateRequest {
  image: string;
  name?: string;
  opts: ContainerCreateOptions;
  autoRemove?: boolean;
  stopTimeout?: number;
  runtime?: string;
  /** bridge (default), none, host, container:NAME, ns:PATH, or network names (comma-separated) */
  network?: string;
  /** --ip, --network-alias, --mac-address, -p, -P */
  networkOpts?: Omit<NetworkCreateRequest, 'network'>;
  netFiles?: NetworkFileOptions;
  /** Ports exposed besides the image's (Docker's ExposedPorts): `80/tcp`, `53/udp`. */
  exposedPorts?: string[];
  restartPolicy?: RestartPolicy;
  /** --health-*, --no-healthcheck, Config.Healthcheck: over the image's. */
  healthcheck?: HealthConfig;
  healthOnFailure?: string;
  /** --log-driver/--log-opt, HostConfig.LogConfig: type '' is the default driver. */
  logConfig?: LogConfig;
  stdinOnce?: boolean;
  createCommand?: string[];
  sdNotify?: SdNotifyMode;
  /** `--link`: the other container by name or id (create records its id). */
  links?: LinkRequest[];
  /** `--volumes-from` / HostConfig.VolumesFrom: `CONTAINER[:ro|rw]`. */
  volumesFrom?: string[];
  /** `--pod NAME` or `--pod new:NAME`: the pod to join (pods/join.ts). */
  pod?: string;
  /** Set by the pod engine only: the membership recorded as is (the infra container). */
  podMembership?: PodMembership;
}

export interface LinkRequest {
  name: string;
  alias: string;
}

export interface RestartPolicy {
  name: string;
  maximumRetryCount: number;
}

export interface LogConfig {
  type: string;
  config: Record<string, string>;
}

/** One container as `docker ps` / GET /containers/json see it. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  State: ContainerStatus;
  Status: string;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  Labels: Record<string, string>;
  SizeRw?: number;
  SizeRootFs?: number;
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, object> };
  Mounts: unknown[];
  ExitCode: number;
}

export interface ContainerListOptions {
  all?: boolean;
  size?: boolean;
  last?: number;
  filters?: Map<string, string[]>;
}

/** `container prune`'s report, as dockerd's. */
export interface ContainerPruneReport {
  ContainersDeleted: string[];
  /** Bytes the removed containers' writable layers held. */
  SpaceReclaimed: number;
}
