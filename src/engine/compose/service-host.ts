/**
 * @module engine/compose/service-host
 * The service keys that say how the container meets the host — devices, security options,
 * namespaces, cgroup and resource knobs, links — in the engine's create vocabulary, the way
 * Docker Compose v2 hands them to dockerd. A key the engine cannot honour is refused by name
 * (the container would otherwise run without what the file asks for).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { invalidArgument } from '../../core/errdefs.js';
import type { LoadedProject, ServiceConfig } from '../../core/compose/types.js';
import type { DeviceRequest, ResourceOptions, SecurityOptions } from '../../core/runtime/create-options.js';
import { parseDeviceFlag } from '../../core/runtime/devices.js';
import { parseSeccompProfile } from '../../core/runtime/seccomp/resolve.js';
import { parseSecurityOpts } from '../../core/runtime/security-opts.js';
import { parseBytes } from '../../core/runtime/units.js';
import type { CreateInput } from '../containers/create-input.js';
import * as L from './labels.js';

/** Keys skiff's engine has nothing for; `isolation` and `cpu_count`/`cpu_percent` are Windows'. */
const REFUSED: Record<string, string> = {
  device_cgroup_rules: 'device cgroup rules',
  storage_opt: 'storage options',
  gpus: 'GPU requests',
  credential_spec: 'credential specs (Windows)',
  cpu_count: 'cpu_count (Windows)',
  cpu_percent: 'cpu_percent (Windows)',
  cpu_rt_period: 'real-time CPU scheduling',
  cpu_rt_runtime: 'real-time CPU scheduling',
  domainname: 'a domain name',
  post_start: 'lifecycle hooks',
  pre_stop: 'lifecycle hooks',
  use_api_socket: 'the Docker API socket in the container',
  provider: 'provider services',
  models: 'models',
};

/** Refuses what the engine cannot do, naming the service and the key. */
export function refuseUnsupported(name: string, svc: ServiceConfig): void {
  for (const [key, what] of Object.entries(REFUSED)) {
    if (svc[key] === undefined || svc[key] === null) continue;
    throw invalidArgument(`service "${name}": ${key} is not supported by skiff (${what})`);
  }
  const isolation = svc.isolation;
  if (isolation !== undefined && isolation !== 'default') throw invalidArgument(`service "${name}": isolation "${String(isolation)}" is not supported by skiff`);
  const blkio = svc.blkio_config as Record<string, unknown> | undefined;
  for (const k of Object.keys(blkio ?? {})) if (k !== 'weight') throw invalidArgument(`service "${name}": blkio_config.${k} is not supported by skiff (only weight)`);
  const reservations = (svc.deploy as { resources?: { reservations?: Record<string, unknown> } } | undefined)?.resources?.reservations;
  if (reservations?.devices) throw invalidArgument(`service "${name}": deploy.resources.reservations.devices is not supported by skiff (GPU requests)`);
}

/** `devices`: `HOST[:CONTAINER][:PERMS]` strings or `{source, target, permissions}`. */
export function serviceDevices(svc: ServiceConfig): DeviceRequest[] {
  const list = (svc.devices as unknown[] | undefined) ?? [];
  return list.map((d) => {
    if (typeof d === 'string') {
      // A CDI name (`vendor.com/class=name`) has no host path.
      if (!d.startsWith('/')) throw invalidArgument(`device "${d}": CDI devices are not supported by skiff`);
      return parseDeviceFlag(d);
    }
    const o = d as { source?: string; target?: string; permissions?: string };
    if (!o.source?.startsWith('/')) throw invalidArgument(`device "${o.source}": CDI devices are not supported by skiff`);
    return parseDeviceFlag([o.source ?? '', o.target ?? o.source ?? '', o.permissions ?? 'rwm'].join(':'));
  });
}

/** `security_opt`: `--security-opt`'s forms; a seccomp profile file is read from the project directory. */
export function serviceSecurity(loaded: LoadedProject, svc: ServiceConfig): SecurityOptions {
  const opts = ((svc.security_opt as unknown[] | undefined) ?? []).map(String);
  const sec = parseSecurityOpts(opts);
  if (sec.seccompProfilePath) {
    const path = resolve(loaded.workingDir, sec.seccompProfilePath);
    sec.security.seccomp = parseSeccompProfile(JSON.parse(readFileSync(path, 'utf8')), path);
  }
  return sec.security;
}

const num = (v: unknown) => (v === undefined || v === null ? undefined : Number(v));
const bytes = (v: unknown) => (v === undefined || v === null ? undefined : parseBytes(v as string | number));

/** Limits and reservations: the service's own keys over `deploy.resources`, as Compose v2 merges them. */
export function serviceResources(svc: ServiceConfig): ResourceOptions {
  const res = (svc.deploy as { resources?: { limits?: Record<string, unknown>; reservations?: Record<string, unknown> } } | undefined)?.resources ?? {};
  const limits = res.limits ?? {};
  const out: ResourceOptions = {
    memory: bytes(svc.mem_limit ?? limits.memory),
    memorySwap: bytes(svc.memswap_limit),
    memoryReservation: bytes(svc.mem_reservation ?? res.reservations?.memory),
    memorySwappiness: num(svc.mem_swappiness),
    cpus: num(svc.cpus ?? limits.cpus),
    cpuShares: num(svc.cpu_shares),
    cpuQuota: num(svc.cpu_quota),
    cpuPeriod: num(svc.cpu_period),
    cpusetCpus: svc.cpuset as string | undefined,
    pidsLimit: num(svc.pids_limit ?? limits.pids),
    blkioWeight: num((svc.blkio_config as { weight?: number } | undefined)?.weight),
    ...(svc.oom_kill_disable ? { oomKillDisable: true } : {}),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as ResourceOptions;
}

/** `service:NAME` (the service's first container) as the engine's `container:NAME`. */
function serviceRef(project: string, v: string): string {
  return v.startsWith('service:') ? `container:${L.containerName(project, v.slice(8), 1)}` : v;
}

/** `pid`, `ipc`, `uts`, `cgroup`, `userns_mode`, `links`, `external_links`, `volumes_from`, `cgroup_parent`, `runtime`, `oom_score_adj`, `annotations`. */
export function serviceHostInput(loaded: LoadedProject, svc: ServiceConfig): Partial<CreateInput> & { optsExtra: Partial<CreateInput['opts']> } {
  const project = loaded.project.name;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const pid = str(svc.pid);
  const ipc = str(svc.ipc);
  const uts = str(svc.uts);
  const cgroup = str(svc.cgroup);
  const links = [
    // `svc[:alias]`: that service's first container, under the alias (or the service's name).
    ...((svc.links as string[] | undefined) ?? []).map((l) => {
      const [s, alias] = l.split(':') as [string, string | undefined];
      return `${L.containerName(project, s, 1)}:${alias ?? s}`;
    }),
    ...((svc.external_links as string[] | undefined) ?? []),
  ];
  const volumesFrom = ((svc.volumes_from as string[] | undefined) ?? []).map((v) => {
    if (v.startsWith('container:')) return v.slice(10);
    const [s, mode] = v.replace(/^service:/, '').split(':') as [string, string | undefined];
    const name = loaded.project.services[s] ? L.containerName(project, s, 1) : s;
    return mode ? `${name}:${mode}` : name;
  });
  const userns = str(svc.userns_mode);
  const annotations = svc.annotations as Record<string, string> | undefined;
  return {
    namespaces: {
      ...(pid ? { pid: serviceRef(project, pid) } : {}),
      ...(ipc ? { ipc: serviceRef(project, ipc) } : {}),
      ...(uts ? { uts } : {}),
      ...(cgroup ? { cgroupns: cgroup } : {}),
    },
    ...(links.length ? { linkSpecs: links } : {}),
    ...(volumesFrom.length ? { volumesFrom } : {}),
    ...(userns ? { usernsSpec: { mode: userns } } : {}),
    ...(str(svc.runtime) ? { runtime: svc.runtime as string } : {}),
    optsExtra: {
      ...(str(svc.cgroup_parent) ? { cgroupParent: svc.cgroup_parent as string } : {}),
      ...(svc.oom_score_adj !== undefined ? { oomScoreAdj: Number(svc.oom_score_adj) } : {}),
      ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
    },
  };
}
