import type { PortRequest } from '../networks/types.js';

/** The namespaces a pod's members share with its infra container (Podman's `--share`). */
export type PodNamespace = 'ipc' | 'net' | 'uts' | 'pid' | 'cgroup';

/** What `pod create` was asked for, kept in the pod's row. */
export interface PodConfig {
  /** As asked; the pod's name when not. */
  hostname?: string;
  labels: Record<string, string>;
  share: PodNamespace[];
  infra: boolean;
  infraImage?: string;
  infraCommand?: string[];
  infraName?: string;
  network?: string;
  publish?: PortRequest[];
  addHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  userns?: string;
  createCommand?: string[];
  /** `--cpus`/`--memory`: the pod's cgroup (cgroup.ts), every container's parent. */
  cgroupParent?: string;
  cpus?: number;
  memory?: number;
}

export interface PodCreateRequest {
  name?: string;
  hostname?: string;
  labels?: Record<string, string>;
  /** As written: `ipc,net,uts`, or `+pid` to add to the default. */
  share?: string;
  /** Default true: without one, members share nothing. */
  infra?: boolean;
  infraImage?: string;
  infraCommand?: string[];
  infraName?: string;
  network?: string;
  publish?: PortRequest[];
  addHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  userns?: string;
  createCommand?: string[];
  /** CPUs the pod's containers share (a fraction: 0.5). */
  cpus?: number;
  /** Bytes of memory the pod's containers share. */
  memory?: number;
}

export interface PodRecord {
  id: string;
  name: string;
  infraId: string | null;
  created: number;
  config: PodConfig;
}

/** Podman's pod states, from its containers' (libpod define.PodState*). */
export type PodStatus = 'Created' | 'Running' | 'Degraded' | 'Exited' | 'Stopped' | 'Paused' | 'Error';

/** One pod as `pod ps` / GET /libpod/pods/json see it (Podman's ListPodsReport). */
export interface PodSummary {
  Id: string;
  Name: string;
  Status: PodStatus;
  Created: string;
  InfraId: string;
  Labels: Record<string, string>;
  Networks: string[];
  Containers: { Id: string; Names: string; Status: string }[];
}

/** `pod inspect` (Podman's InspectPodData, the parts skiff has). */
export interface PodInspect {
  Id: string;
  Name: string;
  Created: string;
  CreateCommand?: string[];
  State: PodStatus;
  Hostname: string;
  CreateCgroup: boolean;
  CgroupParent?: string;
  CPUPeriod?: number;
  CPUQuota?: number;
  MemoryLimit?: number;
  Labels: Record<string, string>;
  CreateInfra: boolean;
  InfraContainerID: string;
  SharedNamespaces: string[];
  NumContainers: number;
  Containers: { Id: string; Name: string; State: string }[];
  InfraConfig?: {
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
    HostNetwork: boolean;
    Networks: string[];
    DNSServer?: string[];
    HostAdd?: string[];
    infra_image: string;
    infra_command?: string[];
  };
}

/** Per pod: the containers a verb acted on, and those it failed on (Podman's PodActionReport). */
export interface PodActionReport {
  Id: string;
  Errs: string[];
}
