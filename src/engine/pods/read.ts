import type { ContainerContext } from '../containers/context.js';
import { refreshContainer } from '../containers/sync.js';
import type { ContainerRecord, ContainerStatus } from '../containers/types.js';
import { podContainers, podRecords, resolvePod } from './store.js';
import type { PodInspect, PodRecord, PodStatus, PodSummary } from './types.js';

/** Podman's reading of a pod's state from its containers' (libpod CreatePodStatusResults). */
export function podStatus(statuses: ContainerStatus[]): PodStatus {
  const n = statuses.length;
  if (n === 0) return 'Created';
  let running = 0, stopped = 0, paused = 0, created = 0, error = 0;
  for (const s of statuses) {
    if (s === 'running' || s === 'restarting') running++;
    else if (s === 'exited') stopped++;
    else if (s === 'paused') paused++;
    else if (s === 'created') created++;
    else error++;
  }
  if (running > 0 && running < n) return 'Degraded';
  if (running === n) return 'Running';
  if (stopped === n) return 'Exited';
  if (stopped > 0) return 'Stopped';
  if (paused === n) return 'Paused';
  if (created === n) return 'Created';
  return error > 0 ? 'Error' : 'Created';
}

/** The pod's containers as they are now (exit files read). */
export async function freshContainers(cc: ContainerContext, podId: string, rows?: ContainerRecord[]): Promise<ContainerRecord[]> {
  const out: ContainerRecord[] = [];
  for (const c of podContainers(cc, podId, rows)) out.push(await refreshContainer(cc, c));
  return out;
}

const PODMAN_STATE: Partial<Record<ContainerStatus, string>> = { created: 'created', running: 'running', paused: 'paused', exited: 'exited' };

/** `name` (a pattern), `id` (a prefix), `label`, `status`, as `pod ps --filter` reads them. */
function podMatches(p: PodSummary, f: ReadonlyMap<string, string[]>): boolean {
  const any = (k: string, test: (v: string) => boolean) => !f.has(k) || f.get(k)!.some(test);
  return (
    any('name', (v) => new RegExp(v).test(p.Name)) &&
    any('id', (v) => p.Id.startsWith(v)) &&
    any('status', (v) => p.Status.toLowerCase() === v.toLowerCase()) &&
    (f.get('label') ?? []).every((v) => {
      const i = v.indexOf('=');
      return i < 0 ? Object.hasOwn(p.Labels, v) : p.Labels[v.slice(0, i)] === v.slice(i + 1);
    })
  );
}

export async function listPods(cc: ContainerContext, filters?: ReadonlyMap<string, string[]>): Promise<PodSummary[]> {
  const out: PodSummary[] = [];
  const rows = cc.records.list();
  for (const p of podRecords(cc.ctx).list()) {
    const cs = await freshContainers(cc, p.id, rows);
    out.push({
      Id: p.id,
      Name: p.name,
      Status: podStatus(cs.map((c) => c.state.status)),
      Created: new Date(p.created).toISOString(),
      InfraId: p.infraId ?? '',
      Labels: p.config.labels,
      Networks: p.infraId && p.config.share.includes('net') ? [p.config.network ?? cc.ctx.config.network.defaultNetwork] : [],
      Containers: cs.map((c) => ({ Id: c.id, Names: c.name, Status: PODMAN_STATE[c.state.status] ?? c.state.status })),
    });
  }
  return filters ? out.filter((p) => podMatches(p, filters)) : out;
}

export async function inspectPod(cc: ContainerContext, ref: string): Promise<PodInspect> {
  const p: PodRecord = resolvePod(cc.ctx, ref);
  const cs = await freshContainers(cc, p.id);
  const c = p.config;
  const ports: NonNullable<PodInspect['InfraConfig']>['PortBindings'] = {};
  for (const port of c.publish ?? []) {
    for (let i = 0; i < Math.max(1, port.range); i++) {
      const key = `${port.containerPort + i}/${port.protocol}`;
      (ports[key] ??= []).push({ HostIp: port.hostIp, HostPort: port.hostPort ? String(port.hostPort + i) : '' });
    }
  }
  const infra = cs.find((x) => x.id === p.infraId);
  return {
    Id: p.id,
    Name: p.name,
    Created: new Date(p.created).toISOString(),
    ...(c.createCommand ? { CreateCommand: c.createCommand } : {}),
    State: podStatus(cs.map((x) => x.state.status)),
    Hostname: c.hostname ?? '',
    CreateCgroup: !!c.cgroupParent,
    ...(c.cgroupParent ? { CgroupParent: c.cgroupParent } : {}),
    ...(c.cpus ? { CPUPeriod: 100_000, CPUQuota: Math.round(c.cpus * 100_000) } : {}),
    ...(c.memory ? { MemoryLimit: c.memory } : {}),
    Labels: c.labels,
    CreateInfra: c.infra,
    InfraContainerID: p.infraId ?? '',
    SharedNamespaces: c.share,
    NumContainers: cs.length,
    Containers: cs.map((x) => ({ Id: x.id, Name: x.name, State: PODMAN_STATE[x.state.status] ?? x.state.status })),
    ...(c.infra
      ? {
          InfraConfig: {
            PortBindings: ports,
            HostNetwork: c.network === 'host',
            Networks: c.share.includes('net') ? [c.network ?? cc.ctx.config.network.defaultNetwork] : [],
            ...(c.dns?.length ? { DNSServer: c.dns } : {}),
            ...(c.addHosts?.length ? { HostAdd: c.addHosts } : {}),
            infra_image: infra?.config.image ?? c.infraImage ?? '',
            ...(infra ? { infra_command: [...(infra.config.opts.entrypoint ?? infra.config.imageConfig.Entrypoint ?? []), ...(infra.config.opts.command ?? [])] } : {}),
          },
        }
      : {}),
  };
}
