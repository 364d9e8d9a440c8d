/**
 * @module core/kube/generate
 * `kube generate`: skiff's pods and containers → Kubernetes YAML, in Podman 4's shapes. A pod is a
 * Pod (or the template of a Deployment/DaemonSet) named after the skiff pod, or `<ctr>-pod` for
 * plain containers, labelled `app: <name>`; its infra container is not written (Kubernetes makes
 * its own), the members are its containers. `--service` adds a NodePort Service for the
 * published ports; every named volume used becomes a PersistentVolumeClaim written first, so the
 * manifest carries what its pods claim.
 */
import { stringify } from 'yaml';
import { containerPorts, dnsLabel, kubeContainer, type PodVolume } from './generate-container.js';
import type {
  KubeDoc, KubeGenerateOptions, KubePodSource, KubePort, KubeVolumeSource,
} from './generate-types.js';

type Obj = Record<string, unknown>;

/** Docker's restart policy names → a Pod's restartPolicy (Podman's mapping). */
export function kubeRestartPolicy(docker: string | undefined): 'Always' | 'OnFailure' | 'Never' {
  if (docker === 'always' || docker === 'unless-stopped') return 'Always';
  if (docker === 'on-failure') return 'OnFailure';
  return 'Never';
}

/** `--add-host NAME:IP` lines, grouped by address as hostAliases are. */
export function hostAliases(addHosts: readonly string[]): { ip: string; hostnames: string[] }[] {
  const byIp = new Map<string, string[]>();
  for (const h of addHosts) {
    const i = h.indexOf(':');
    if (i <= 0) continue;
    const name = h.slice(0, i);
    const ip = h.slice(i + 1).replace(/^\[|\]$/g, '');
    // host-gateway means "this host's address on my network": nothing Kubernetes can say.
    if (ip === 'host-gateway' || !ip) continue;
    byIp.set(ip, [...(byIp.get(ip) ?? []), name]);
  }
  return [...byIp].map(([ip, hostnames]) => ({ ip, hostnames }));
}

export function podSpec(p: KubePodSource, restartPolicy: string): Obj {
  const volumes = new Map<string, PodVolume>();
  const containers = p.containers.map((c, i) =>
    // Podman puts the pod's published ports on its first container.
    kubeContainer(c, i === 0 ? [...p.ports, ...c.ports] : c.ports, volumes),
  );
  const aliases = hostAliases([...p.addHosts, ...p.containers.flatMap((c) => c.addHosts)]);
  const hostname = p.hostname ?? p.containers.find((c) => c.opts.hostname)?.opts.hostname;
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    ...(hostname ? { hostname } : {}),
    ...(aliases.length ? { hostAliases: aliases } : {}),
    restartPolicy,
    containers,
    ...(volumes.size ? { volumes: [...volumes.values()].map((v) => ({ name: v.name, ...v.source })) } : {}),
  };
}

function meta(name: string, app: string, o: KubeGenerateOptions, labels: Record<string, string> = {}): Obj & { name: string } {
  return {
    name,
    labels: { ...labels, app },
    ...(o.now ? { creationTimestamp: o.now.toISOString().replace(/\.\d+Z$/, 'Z') } : {}),
  };
}

function workload(p: KubePodSource, o: KubeGenerateOptions): KubeDoc {
  const type = o.type ?? 'pod';
  const app = p.name;
  const firstPolicy = p.containers[0]?.restartPolicy;
  if (type === 'pod') {
    return { apiVersion: 'v1', kind: 'Pod', metadata: meta(p.name, app, o, p.labels), spec: podSpec(p, kubeRestartPolicy(firstPolicy)) };
  }
  // A Deployment's or DaemonSet's pods may only restart Always (the API server refuses others).
  const template = { metadata: { labels: { ...p.labels, app } }, spec: podSpec(p, 'Always') };
  const selector = { matchLabels: { app } };
  if (type === 'deployment') {
    return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(`${p.name}-deployment`, app, o, p.labels), spec: { replicas: 1, selector, template } };
  }
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(`${p.name}-daemonset`, app, o, p.labels), spec: { selector, template } };
}

/** Podman's Service: NodePort, one port per published container port, named after it. */
function service(p: KubePodSource, o: KubeGenerateOptions): KubeDoc | undefined {
  const published: KubePort[] = [...p.ports, ...p.containers.flatMap((c) => c.ports)];
  const seen = new Set<string>();
  const ports: Obj[] = [];
  for (const cp of containerPorts(published)) {
    const port = cp.containerPort as number;
    const protocol = (cp.protocol as string | undefined) ?? 'TCP';
    const key = `${port}/${protocol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ports.push({
      name: protocol === 'TCP' ? String(port) : `${port}-${protocol.toLowerCase()}`,
      port,
      targetPort: port,
      ...(protocol !== 'TCP' ? { protocol } : {}),
      ...(o.nodePort ? { nodePort: o.nodePort(port) } : {}),
    });
  }
  if (!ports.length) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(p.name, p.name, o),
    spec: { type: 'NodePort', selector: { app: p.name }, ports },
  };
}

/** Podman's claim for a named volume: its driver and options as `volume.podman.io/*` annotations. */
export function persistentVolumeClaim(v: KubeVolumeSource, o: KubeGenerateOptions): KubeDoc {
  const annotations: Record<string, string> = { 'volume.podman.io/driver': v.driver || 'local' };
  if (v.options.type) annotations['volume.podman.io/type'] = v.options.type;
  if (v.options.device) annotations['volume.podman.io/device'] = v.options.device;
  if (v.options.o) annotations['volume.podman.io/mount-options'] = v.options.o;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: v.name,
      ...(Object.keys(v.labels).length ? { labels: v.labels } : {}),
      annotations,
      ...(o.now ? { creationTimestamp: o.now.toISOString().replace(/\.\d+Z$/, 'Z') } : {}),
    },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  };
}

/** Claims first (what pods mount must exist when they are played), then Services, then workloads. */
export function kubeDocuments(pods: readonly KubePodSource[], volumes: readonly KubeVolumeSource[], o: KubeGenerateOptions): KubeDoc[] {
  const docs: KubeDoc[] = volumes.map((v) => persistentVolumeClaim(v, o));
  if (o.service) for (const p of pods) docs.push(...[service(p, o)].filter((d): d is KubeDoc => !!d));
  for (const p of pods) docs.push(workload(p, o));
  return docs;
}

/** The YAML stream with Podman's header. */
export function kubeYaml(docs: readonly KubeDoc[], version: string): string {
  const header = '# Save the output of this file and use kubectl create -f to import\n# it into Kubernetes.\n#\n' + `# Created with skiff-${version}\n`;
  return header + docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join('');
}

export { dnsLabel };
