/**
 * `kube generate CONTAINER|POD|VOLUME…`: skiff's rows → the pure sources of core/kube, then the
 * documents, each checked against its Kubernetes model before it is written. As Podman: several
 * containers make one pod named `<first>-pod`; each pod makes its own; a volume named alone
 * makes its claim. Pods come first, then the containers' pod, as Podman orders them.
 */
import { randomInt } from 'node:crypto';
import { internal, invalidArgument, isEngineError, notFound } from '../../core/errdefs.js';
import { formatReference, normalizeReference } from '../../core/images/reference.js';
import { kubeDocuments, kubeYaml } from '../../core/kube/generate.js';
import type {
  KubeContainerSource, KubeDoc, KubeGenerateOptions, KubePodSource, KubeVolumeSource, KubeWorkloadType,
} from '../../core/kube/generate-types.js';
import type { ContainerContext } from '../containers/context.js';
import { resolveContainer } from '../containers/resolve.js';
import type { ContainerRecord } from '../containers/types.js';
import { podContainers, resolvePod } from '../pods/store.js';
import type { PodRecord } from '../pods/types.js';
import { SKIFF_VERSION } from '../system/info.js';
import type { VolumeEngine } from '../volumes/index.js';

export interface KubeGenerateRequest {
  service?: boolean;
  type?: KubeWorkloadType;
}

export interface KubeGenerateResult {
  docs: KubeDoc[];
  yaml: string;
}

/** Kubernetes pulls by full name: `bb` is `docker.io/library/bb:latest` to skiff, as to dockerd. */
function fullImageName(image: string): string {
  if (/^(sha256:)?[0-9a-f]{64}$/.test(image)) return image;
  try {
    return formatReference(normalizeReference(image));
  } catch {
    return image;
  }
}

function containerSource(c: ContainerRecord): KubeContainerSource {
  return {
    name: c.name,
    image: fullImageName(c.config.image),
    imageConfig: c.config.imageConfig ?? {},
    opts: c.config.opts,
    ...(c.config.healthcheck ? { healthcheck: c.config.healthcheck } : {}),
    ...(c.config.restartPolicy ? { restartPolicy: c.config.restartPolicy.name } : {}),
    ports: c.config.pod ? [] : (c.config.ports ?? []),
    addHosts: c.config.pod ? [] : (c.config.netFiles?.addHosts ?? []),
  };
}

function podSource(cc: ContainerContext, pod: PodRecord): KubePodSource {
  // In the order they were created, as Podman lists a pod's containers.
  const members = podContainers(cc, pod.id)
    .filter((c) => !c.config.pod?.isInfra)
    .sort((a, b) => a.created - b.created);
  if (!members.length) throw invalidArgument(`pod ${pod.name} has no containers but its infra container: nothing to generate`);
  const infra = pod.infraId ? cc.records.get(pod.infraId) : undefined;
  return {
    name: pod.name,
    hostname: pod.config.hostname ?? pod.name,
    labels: pod.config.labels,
    ports: infra?.config.ports ?? pod.config.publish ?? [],
    addHosts: pod.config.addHosts ?? [],
    containers: members.map(containerSource),
  };
}

type Found = { kind: 'container'; c: ContainerRecord } | { kind: 'pod'; p: PodRecord } | { kind: 'volume'; name: string };

function find(cc: ContainerContext, volumes: VolumeEngine, ref: string): Found {
  for (const look of [
    () => ({ kind: 'container', c: resolveContainer(cc, ref) }) as const,
    () => ({ kind: 'pod', p: resolvePod(cc.ctx, ref) }) as const,
    () => ({ kind: 'volume', name: volumes.inspect(ref).Name }) as const,
  ]) {
    try {
      return look();
    } catch (e) {
      if (!isEngineError(e, 'NotFound')) throw e;
    }
  }
  throw notFound(`name or ID "${ref}" not found`);
}

export async function generateKube(cc: ContainerContext, volumes: VolumeEngine, refs: string[], req: KubeGenerateRequest = {}): Promise<KubeGenerateResult> {
  if (!refs.length) throw invalidArgument('kube generate needs at least one container, pod or volume');
  const found = refs.map((r) => find(cc, volumes, r));
  const ctrs = found.flatMap((f) => (f.kind === 'container' ? [f.c] : []));
  const pods = found.flatMap((f) => (f.kind === 'pod' ? [f.p] : []));
  for (const c of ctrs) {
    if (c.config.pod?.isInfra) throw invalidArgument(`${c.name} is the infra container of a pod: name the pod instead`);
  }
  const sources: KubePodSource[] = pods.map((p) => podSource(cc, p));
  if (ctrs.length) {
    sources.push({ name: `${ctrs[0].name}-pod`, ports: [], addHosts: [], containers: ctrs.map(containerSource) });
  }
  // Claims for the volumes named, then for those the containers mount (once each).
  const volumeNames = new Set(found.flatMap((f) => (f.kind === 'volume' ? [f.name] : [])));
  for (const s of sources) {
    for (const c of s.containers) {
      for (const m of c.opts.mounts ?? []) if (m.type === 'volume' && m.name && !m.anonymous) volumeNames.add(m.name);
    }
  }
  const vols: KubeVolumeSource[] = [...volumeNames].map((name) => {
    const v = volumes.inspect(name);
    return { name: v.Name, driver: v.Driver, options: v.Options ?? {}, labels: v.Labels ?? {} };
  });
  const opts: KubeGenerateOptions = {
    ...req,
    now: new Date(),
    version: SKIFF_VERSION,
    // Podman leaves the NodePort to chance in Kubernetes' default range.
    nodePort: () => randomInt(30000, 32768),
  };
  const docs = kubeDocuments(sources, vols, opts);
  // The models are one bundle of their own (~1 MB), shared with kube play.
  const { validateManifest } = await import('../../core/kube/validate.js');
  for (const d of docs) {
    try {
      validateManifest(d);
    } catch (e) {
      // What skiff writes must be valid: a refusal here is skiff's bug, not the user's input.
      throw internal(`generated an invalid ${(e as Error).message}`, e);
    }
  }
  return { docs, yaml: kubeYaml(docs, SKIFF_VERSION) };
}
