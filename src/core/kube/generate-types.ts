/**
 * @module core/kube/generate-types
 * What `kube generate` reads of skiff's containers and pods, in skiff's own vocabulary; the engine
 * fills these from its rows, `generate.ts` turns them into Kubernetes documents.
 */
import type { HealthConfig, ImageRunConfig } from '../images/oci.js';
import type { ContainerCreateOptions } from '../runtime/create-options.js';

/** One published port (`-p`), as a container or a pod's infra records it. */
export interface KubePort {
  hostIp: string;
  /** 0: picked at start; not a fixed hostPort then. */
  hostPort: number;
  containerPort: number;
  /** How many consecutive ports from these numbers. */
  range: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

export interface KubeContainerSource {
  name: string;
  image: string;
  /** The image's config: what the container's command, env and user are compared with. */
  imageConfig: ImageRunConfig;
  opts: ContainerCreateOptions;
  healthcheck?: HealthConfig;
  /** Docker's policy name: no, always, unless-stopped, on-failure. */
  restartPolicy?: string;
  /** Its own published ports (a pod member has none: they are the pod's). */
  ports: KubePort[];
  /** `--add-host NAME:IP`. */
  addHosts: string[];
}

/** A pod to write: its name, shared settings, and its containers (the infra container is not one). */
export interface KubePodSource {
  name: string;
  /** Set for a skiff pod (its hostname); a container's own hostname otherwise. */
  hostname?: string;
  labels?: Record<string, string>;
  /** The pod's published ports (a skiff pod's infra holds them); they go on the first container. */
  ports: KubePort[];
  addHosts: string[];
  containers: KubeContainerSource[];
}

/** A named volume a container uses: its PersistentVolumeClaim. */
export interface KubeVolumeSource {
  name: string;
  driver: string;
  /** The local driver's options (`type`, `device`, `o`): Podman's `volume.podman.io/*` annotations. */
  options: Record<string, string>;
  labels: Record<string, string>;
}

export type KubeWorkloadType = 'pod' | 'deployment' | 'daemonset';

export interface KubeGenerateOptions {
  /** A Service for the published ports. */
  service?: boolean;
  type?: KubeWorkloadType;
  /** Podman's NodePort picks; the engine passes a random source, tests may pin it. */
  nodePort?: (containerPort: number) => number;
  /** For `metadata.creationTimestamp`. */
  now?: Date;
  /** `Created with skiff-VERSION`. */
  version: string;
}

/** One Kubernetes document (the models validate the details). */
export interface KubeDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: unknown };
  [k: string]: unknown;
}
