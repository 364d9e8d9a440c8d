/**
 * @module engine/compose/service-input
 * A Compose service as the engine's create request: the same `CreateInput` the CLI's `run` and
 * the API's create body are read into, so one normaliser (containers/create-input.ts) decides
 * what binds, ports and restart policies mean for all three.
 */
import { parseGoDuration } from '../../core/build/flags.js';
import { parseBytes } from '../../core/runtime/units.js';
import { invalidArgument } from '../../core/errdefs.js';
import type { ComposeProject, LoadedProject, ServiceConfig, ServiceVolumeConfig } from '../../core/compose/types.js';
import type { HealthConfig } from '../../core/images/oci.js';
import type { CreateInput, MountSpec } from '../containers/create-input.js';
import { parsePublish } from '../networks/ports.js';
import { fileObjectMounts } from './file-objects.js';
import * as L from './labels.js';
import { refuseUnsupported, serviceDevices, serviceHostInput, serviceResources, serviceSecurity } from './service-host.js';

/** The image a service runs: its `image`, or what `build` makes (`<project>-<service>`). */
export function serviceImage(project: string, name: string, svc: ServiceConfig): string {
  return svc.image ?? `${project}-${name}`;
}

/** The service's networks by the engine's name, in Compose's order (priority, then key), with their aliases. */
export function serviceNetworks(project: ComposeProject, svc: ServiceConfig): ServiceNetwork[] {
  if (svc.network_mode) return [];
  const entries = Object.entries(svc.networks ?? { default: null });
  const prio = (v: unknown) => Number((v as { priority?: number } | null)?.priority ?? 0);
  entries.sort(([ka, va], [kb, vb]) => prio(vb) - prio(va) || ka.localeCompare(kb));
  return entries.map(([key, v], i) => {
    // The service-level mac_address (deprecated) goes on the first network, as Compose v2 puts it.
    const mac = (v?.mac_address as string | undefined) ?? (i === 0 ? (svc.mac_address as string | undefined) : undefined);
    const linkLocal = v?.link_local_ips as string[] | undefined;
    return {
      name: project.networks?.[key]?.name ?? key,
      aliases: v?.aliases ?? [],
      ...(v?.ipv4_address ? { ip: v.ipv4_address } : {}),
      ...(v?.ipv6_address ? { ip6: v.ipv6_address } : {}),
      ...(mac ? { mac } : {}),
      ...(linkLocal?.length ? { linkLocalIps: linkLocal } : {}),
    };
  });
}

export interface ServiceNetwork {
  name: string;
  aliases: string[];
  ip?: string;
  ip6?: string;
  mac?: string;
  linkLocalIps?: string[];
}

function nanos(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v * 1e9;
  try {
    return parseGoDuration(String(v));
  } catch (e) {
    throw invalidArgument(`${what}: ${(e as Error).message}`);
  }
}

function healthcheck(svc: ServiceConfig): HealthConfig | undefined {
  const h = svc.healthcheck;
  if (!h) return undefined;
  if (h.disable) return { Test: ['NONE'] };
  const out: HealthConfig = {};
  if (h.test) out.Test = h.test;
  const set = (k: 'Interval' | 'Timeout' | 'StartPeriod' | 'StartInterval', v: unknown) => {
    const ns = nanos(v, `healthcheck ${k}`);
    if (ns !== undefined) out[k] = ns;
  };
  set('Interval', h.interval);
  set('Timeout', h.timeout);
  set('StartPeriod', h.start_period);
  set('StartInterval', h.start_interval);
  if (h.retries !== undefined) out.Retries = h.retries;
  return out;
}

function mount(project: ComposeProject, v: ServiceVolumeConfig): { bind?: string; spec?: MountSpec } {
  if (v.type === 'bind') {
    // Compose creates a missing bind source (create_host_path defaults to true): `-v`'s rule, not `--mount`'s.
    if (v.bind?.create_host_path === false) return { spec: { type: 'bind', source: v.source!, target: v.target, readOnly: !!v.read_only, ...(v.bind.propagation ? { propagation: v.bind.propagation } : {}) } };
    const opts = [v.read_only ? 'ro' : 'rw', ...(v.bind?.propagation ? [v.bind.propagation] : []), ...(v.bind?.selinux ? [v.bind.selinux] : [])];
    return { bind: `${v.source}:${v.target}:${opts.join(',')}` };
  }
  if (v.type === 'volume') {
    const source = v.source ? (project.volumes?.[v.source]?.name ?? v.source) : undefined;
    return { spec: { type: 'volume', ...(source ? { source } : {}), target: v.target, readOnly: !!v.read_only, ...(v.volume?.nocopy ? { noCopy: true } : {}) } };
  }
  if (v.type === 'tmpfs') {
    return { spec: { type: 'tmpfs', target: v.target, ...(v.tmpfs?.size !== undefined ? { tmpfsSize: v.tmpfs.size } : {}), ...(v.tmpfs?.mode !== undefined ? { tmpfsMode: v.tmpfs.mode } : {}) } };
  }
  throw invalidArgument(`volume type "${v.type}" is not supported`);
}

function publish(svc: ServiceConfig) {
  return (svc.ports ?? []).flatMap((p) => {
    const host = p.published !== undefined && p.published !== '' ? `${p.host_ip ? `${p.host_ip}:` : ''}${p.published}:` : p.host_ip ? `${p.host_ip}::` : '';
    return parsePublish(`${host}${p.target}/${p.protocol || 'tcp'}`);
  });
}

/** `extra_hosts` as a list (`host:ip`, `host=ip`) or a mapping, in `--add-host`'s `host:ip`. */
function extraHosts(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((h) => String(h).replace(/^([^=:]+)=/, '$1:'));
  if (v && typeof v === 'object') return Object.entries(v as Record<string, unknown>).flatMap(([h, ip]) => (Array.isArray(ip) ? ip : [ip]).map((a) => `${h}:${String(a)}`));
  return [];
}

/** `ulimits` in `--ulimit`'s `name=soft[:hard]`. */
function ulimits(v: unknown): string[] {
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>).map(([k, l]) =>
    typeof l === 'object' && l ? `${k}=${(l as { soft?: number }).soft}:${(l as { hard?: number }).hard}` : `${k}=${String(l)}`,
  );
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

export interface ServiceContainer {
  service: string;
  number: number;
  hash: string;
  /** Set for a one-off (`compose run`): its name is given. */
  oneoffName?: string;
}

/** The create request for container `number` of a service. */
export function serviceCreateInput(loaded: LoadedProject, c: ServiceContainer): CreateInput {
  const { project } = loaded;
  const svc = project.services[c.service]!;
  refuseUnsupported(c.service, svc);
  const { optsExtra, ...host } = serviceHostInput(loaded, svc);
  const dependsOn = Object.entries(svc.depends_on ?? {}).map(([d, v]) => `${d}:${v.condition}:${v.restart ?? false}`).join(',');
  const labels: Record<string, string> = {
    ...(svc.labels ?? {}),
    [L.PROJECT]: project.name,
    [L.SERVICE]: c.service,
    [L.NUMBER]: String(c.number),
    [L.ONEOFF]: c.oneoffName ? 'True' : 'False',
    [L.CONFIG_HASH]: c.hash,
    [L.WORKING_DIR]: loaded.workingDir,
    [L.CONFIG_FILES]: loaded.files.join(','),
    [L.DEPENDS_ON]: dependsOn,
    [L.VERSION]: L.COMPOSE_VERSION,
  };
  const mounts = [...(svc.volumes ?? []).map((v) => mount(project, v)), ...fileObjectMounts(loaded, c.service, svc).map((spec): { bind?: string; spec?: MountSpec } => ({ spec }))];
  const nets = serviceNetworks(project, svc);
  const first = nets[0];
  const env = Object.entries(svc.environment ?? {}).flatMap(([k, v]) => (v === null ? [] : [`${k}=${v}`]));
  const name = c.oneoffName ?? svc.container_name ?? L.containerName(project.name, c.service, c.number);
  const stopTimeout = nanos(svc.stop_grace_period, 'stop_grace_period');
  const networkMode = svc.network_mode?.startsWith('service:') ? `container:${L.containerName(project.name, svc.network_mode.slice(8), 1)}` : svc.network_mode;
  const logging = svc.logging as { driver?: string; options?: Record<string, string> } | undefined;
  const expose = strings(svc.expose).map((p) => (p.includes('/') ? p : `${p}/tcp`));
  return {
    image: serviceImage(project.name, c.service, svc),
    name,
    opts: {
      ...(svc.command?.length ? { command: svc.command } : {}),
      ...(svc.entrypoint ? { entrypoint: svc.entrypoint.length ? svc.entrypoint : [''] } : {}),
      env,
      ...(typeof svc.working_dir === 'string' ? { workdir: svc.working_dir } : {}),
      ...(typeof svc.user === 'string' ? { user: svc.user } : {}),
      ...(typeof svc.hostname === 'string' ? { hostname: svc.hostname } : {}),
      labels,
      privileged: !!svc.privileged,
      capAdd: strings(svc.cap_add),
      capDrop: strings(svc.cap_drop),
      readOnly: !!svc.read_only,
      tmpfs: strings(svc.tmpfs),
      tty: !!svc.tty,
      stdinOpen: !!svc.stdin_open,
      ...(typeof svc.stop_signal === 'string' ? { stopSignal: svc.stop_signal } : {}),
      ...(svc.group_add ? { groupAdd: strings(svc.group_add) } : {}),
      sysctls: Object.fromEntries(Object.entries((svc.sysctls as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)])),
      ulimits: ulimits(svc.ulimits),
      ...(svc.shm_size !== undefined ? { shmSize: parseBytes(svc.shm_size as string | number) } : {}),
      resources: serviceResources(svc),
      security: serviceSecurity(loaded, svc),
      devices: serviceDevices(svc),
      ...optsExtra,
    },
    ...host,
    ...(logging ? { logConfig: { type: logging.driver ?? '', config: logging.options ?? {} } } : {}),
    ...(stopTimeout !== undefined ? { stopTimeout: Math.round(stopTimeout / 1e9) } : {}),
    ...(svc.restart ? { restart: svc.restart } : {}),
    binds: mounts.flatMap((m) => (m.bind ? [m.bind] : [])),
    mountSpecs: mounts.flatMap((m) => (m.spec ? [m.spec] : [])),
    ...(svc.init ? { initProcess: true } : {}),
    ...(() => {
      const h = healthcheck(svc);
      return h ? { healthcheck: h } : {};
    })(),
    ...(networkMode ? { network: networkMode } : first ? { network: first.name } : {}),
    ...(expose.length ? { exposedPorts: expose } : {}),
    networkOpts: {
      ...(first && !networkMode ? { aliases: [c.service, ...first.aliases] } : {}),
      ...(first?.ip ? { ip: first.ip } : {}),
      ...(first?.ip6 ? { ip6: first.ip6 } : {}),
      ...(first?.mac ? { mac: first.mac } : {}),
      ...(first?.linkLocalIps ? { linkLocalIps: first.linkLocalIps } : {}),
      publish: publish(svc),
      publishAll: false,
    },
    netFiles: { addHosts: extraHosts(svc.extra_hosts), dns: strings(svc.dns), dnsSearch: strings(svc.dns_search), dnsOptions: strings(svc.dns_opt) },
  };
}
