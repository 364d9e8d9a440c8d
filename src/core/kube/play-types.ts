/**
 * @module core/kube/play-types
 * What `kube play` makes of a manifest, before any engine work: volumes, pods and their
 * containers in neutral terms (the engine turns a container into its create request).
 */

export interface KubeHealth {
  test: string[];
  intervalSec?: number;
  timeoutSec?: number;
  startPeriodSec?: number;
  retries?: number;
  /** A liveness probe restarts the container when it fails (the kubelet's rule). */
  onFailure?: 'restart';
}

export type KubeMount =
  | { kind: 'volume'; volume: string; target: string; readOnly: boolean }
  | { kind: 'bind'; source: string; target: string; readOnly: boolean; create: boolean }
  | { kind: 'tmpfs'; target: string; sizeBytes?: number }
  /** A ConfigMap or Secret volume: files the engine writes for the pod, mounted read-only. */
  | { kind: 'files'; dir: string; target: string };

export interface KubeContainer {
  /** `<pod>-<container>`, as Podman names them. */
  name: string;
  image: string;
  pullPolicy?: string;
  entrypoint?: string[];
  command?: string[];
  workdir?: string;
  env: string[];
  publish: string[];
  mounts: KubeMount[];
  health?: KubeHealth;
  memory?: number;
  memoryReservation?: number;
  cpus?: number;
  user?: string;
  groupAdd?: string[];
  privileged?: boolean;
  readOnly?: boolean;
  noNewPrivileges?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  tty?: boolean;
  stdin?: boolean;
}

export interface KubeFileSet {
  /** Unique within the pod: the volume's name. */
  dir: string;
  files: { path: string; data: Buffer; mode: number }[];
}

export interface KubePod {
  name: string;
  /** The manifest's kind and name it came from. */
  owner: { kind: string; name: string };
  hostname?: string;
  hostNetwork: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  addHosts: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  restart: 'always' | 'on-failure' | 'no';
  stopTimeoutSec?: number;
  /** A Job's pod: play waits for its containers to end and reports their status. */
  runToCompletion: boolean;
  /** Pod-scoped disk volumes (`emptyDir`), removed with the pod. */
  scratchVolumes: string[];
  fileSets: KubeFileSet[];
  initContainers: KubeContainer[];
  containers: KubeContainer[];
  /** Host ports published by the pod (its infra container). */
  publish: string[];
}

export interface KubePlan {
  /** PersistentVolumeClaims: named volumes, made when missing, kept by `kube down`. */
  volumes: string[];
  pods: KubePod[];
  warnings: string[];
}
