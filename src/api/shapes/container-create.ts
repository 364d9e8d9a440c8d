/**
 * Docker's container create body (Config + HostConfig + NetworkingConfig) → the engine's
 * create request, field by field for what the engine supports. Unknown fields are ignored
 * (dockerode repeats every option in the query and the body); a field of the wrong type is a
 * 400 naming it.
 */
import { invalidArgument } from '../../core/errdefs.js';
import type { ContainerCreateOptions, DeviceRequest } from '../../core/runtime/create-options.js';
import { parseSecurityOpts } from '../../core/runtime/security-opts.js';
import { parseSeccompProfile } from '../../core/runtime/seccomp/resolve.js';
import type { ContainerCreateRequest } from '../../engine/containers/index.js';
import type { CreateInput, MountSpec } from '../../engine/containers/create-input.js';
import { parsePublish } from '../../engine/networks/ports.js';
import type { PortRequest } from '../../engine/networks/types.js';

type Obj = Record<string, unknown>;

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function bad(field: string, want: string, v: unknown): never {
  throw invalidArgument(`invalid ${field}: want ${want}, got ${kind(v)}`);
}

function obj(v: unknown, field: string): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) bad(field, 'an object', v);
  return v as Obj;
}

function str(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') bad(field, 'a string', v);
  return v as string;
}

function bool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') bad(field, 'a boolean', v);
  return v as boolean;
}

function num(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(field, 'a number', v);
  return v as number;
}

/** A positive number, 0 meaning "not set" as in Docker's Go zero values. */
function pos(v: unknown, field: string): number | undefined {
  const n = num(v, field);
  return n ? n : undefined;
}

function strList(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) bad(field, 'an array of strings', v);
  return v as string[];
}

/** Docker's StrSlice: a string or an array of strings. */
function strSlice(v: unknown, field: string): string[] | undefined {
  if (typeof v === 'string') return [v];
  return strList(v, field);
}

function strMap(v: unknown, field: string): Record<string, string> | undefined {
  const o = obj(v, field);
  if (!o) return undefined;
  for (const [k, x] of Object.entries(o)) if (typeof x !== 'string') bad(`${field}.${k}`, 'a string', x);
  return o as Record<string, string>;
}

function list(v: unknown, field: string): Obj[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) bad(field, 'an array', v);
  return (v as unknown[]).map((x, i) => obj(x, `${field}[${i}]`) ?? {});
}

/** HostConfig.Mounts items (the structured `--mount`), read field for field. */
function mountSpec(m: Obj, i: number): MountSpec {
  const f = `HostConfig.Mounts[${i}]`;
  const type = str(m.Type, `${f}.Type`);
  const target = str(m.Target, `${f}.Target`);
  const source = str(m.Source, `${f}.Source`);
  const vo = obj(m.VolumeOptions, `${f}.VolumeOptions`);
  const driver = obj(vo?.DriverConfig, `${f}.VolumeOptions.DriverConfig`);
  const driverName = str(driver?.Name, `${f}.VolumeOptions.DriverConfig.Name`);
  const driverOpts = strMap(driver?.Options, `${f}.VolumeOptions.DriverConfig.Options`);
  const labels = strMap(vo?.Labels, `${f}.VolumeOptions.Labels`);
  const t = obj(m.TmpfsOptions, `${f}.TmpfsOptions`);
  const size = pos(t?.SizeBytes, `${f}.TmpfsOptions.SizeBytes`);
  const mode = num(t?.Mode, `${f}.TmpfsOptions.Mode`);
  const prop = str(obj(m.BindOptions, `${f}.BindOptions`)?.Propagation, `${f}.BindOptions.Propagation`);
  return {
    ...(type ? { type } : {}),
    ...(target ? { target } : {}),
    ...(source ? { source } : {}),
    readOnly: !!bool(m.ReadOnly, `${f}.ReadOnly`),
    ...(prop ? { propagation: prop } : {}),
    noCopy: !!bool(vo?.NoCopy, `${f}.VolumeOptions.NoCopy`),
    ...(driverName ? { volumeDriver: driverName } : {}),
    ...(driverOpts && Object.keys(driverOpts).length ? { volumeOptions: driverOpts } : {}),
    ...(labels && Object.keys(labels).length ? { volumeLabels: labels } : {}),
    ...(size ? { tmpfsSize: size } : {}),
    ...(mode !== undefined ? { tmpfsMode: mode } : {}),
  };
}

/** `{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}` → `-p` requests; an empty or 0 host port is picked at start. */
function portBindings(v: unknown): PortRequest[] {
  const o = obj(v, 'HostConfig.PortBindings') ?? {};
  const seen = new Set<string>();
  const out: PortRequest[] = [];
  for (const [port, bindings] of Object.entries(o)) {
    const [num, proto = 'tcp'] = port.split('/');
    for (const [i, b] of list(bindings, `HostConfig.PortBindings.${port}`).entries()) {
      const field = `HostConfig.PortBindings.${port}[${i}]`;
      let ip = str(b.HostIp, `${field}.HostIp`) ?? '';
      // One binding for both families is what skiff publishes anyway.
      if (ip === '::' || ip === '0.0.0.0') ip = '';
      let hostPort = str(b.HostPort, `${field}.HostPort`) ?? '';
      if (hostPort === '0') hostPort = '';
      const spec = `${ip ? (ip.includes(':') ? `[${ip}]:` : `${ip}:`) : ''}${hostPort}:${num}/${proto}`;
      if (seen.has(spec)) continue;
      seen.add(spec);
      out.push(...parsePublish(spec));
    }
  }
  return out;
}

/** The network request: NetworkMode, with aliases, address and MAC from its EndpointsConfig entry. */
function network(hc: Obj, nc: Obj | undefined, configMac: string | undefined): Pick<ContainerCreateRequest, 'network' | 'networkOpts'> {
  const mode = str(hc.NetworkMode, 'HostConfig.NetworkMode') ?? '';
  const endpoints = obj(nc?.EndpointsConfig, 'NetworkingConfig.EndpointsConfig') ?? {};
  const keys = Object.keys(endpoints);
  // API 1.41 joins one network at create; dockerd 20.10's words for more.
  if (keys.length > 1) throw invalidArgument(`Container cannot be connected to network endpoints: ${keys.join(', ')}`);
  // With no mode, dockerd joins the network the one endpoint names (python3-docker's networking_config).
  const named = mode === '' || mode === 'default' ? keys[0] ?? (mode || 'default') : mode;
  const ep = obj(endpoints[named] ?? endpoints[mode === '' ? 'default' : mode], 'NetworkingConfig.EndpointsConfig entry') ?? {};
  const aliases = strList(ep.Aliases, 'EndpointsConfig.Aliases');
  const ipam = obj(ep.IPAMConfig, 'EndpointsConfig.IPAMConfig');
  const ip = str(ipam?.IPv4Address, 'EndpointsConfig.IPAMConfig.IPv4Address');
  const ip6 = str(ipam?.IPv6Address, 'EndpointsConfig.IPAMConfig.IPv6Address');
  const linkLocal = strList(ipam?.LinkLocalIPs, 'EndpointsConfig.IPAMConfig.LinkLocalIPs');
  // Before API 1.44 the MAC address is the container's (Config.MacAddress), for its one network.
  const mac = str(ep.MacAddress, 'EndpointsConfig.MacAddress') || configMac;
  return {
    network: named,
    networkOpts: {
      ...(aliases?.length ? { aliases } : {}),
      ...(ip ? { ip } : {}),
      ...(ip6 ? { ip6 } : {}),
      ...(mac ? { mac } : {}),
      ...(linkLocal?.length ? { linkLocalIps: linkLocal } : {}),
      publish: portBindings(hc.PortBindings),
      publishAll: !!bool(hc.PublishAllPorts, 'HostConfig.PublishAllPorts'),
    },
  };
}

function security(hc: Obj): ContainerCreateOptions['security'] {
  const opts = strList(hc.SecurityOpt, 'HostConfig.SecurityOpt') ?? [];
  // The docker CLI reads a seccomp profile file and sends its content.
  const inline = opts.filter((o) => /^seccomp[=:]\s*\{/.test(o));
  const parsed = parseSecurityOpts(opts.filter((o) => !inline.includes(o)));
  const sec = parsed.security;
  if (parsed.seccompProfilePath) throw invalidArgument('SecurityOpt seccomp=PATH: send the profile itself, as the docker CLI does');
  for (const o of inline) {
    try {
      sec.seccomp = parseSeccompProfile(JSON.parse(o.replace(/^seccomp[=:]/, '')), 'SecurityOpt');
    } catch (e) {
      throw invalidArgument(`invalid seccomp profile in SecurityOpt: ${(e as Error).message}`, e);
    }
  }
  return sec;
}

function devices(hc: Obj): DeviceRequest[] {
  return list(hc.Devices, 'HostConfig.Devices').map((d, i) => {
    const f = `HostConfig.Devices[${i}]`;
    const hostPath = str(d.PathOnHost, `${f}.PathOnHost`);
    if (!hostPath) throw invalidArgument(`${f}.PathOnHost is required`);
    return {
      hostPath,
      containerPath: str(d.PathInContainer, `${f}.PathInContainer`) || hostPath,
      permissions: str(d.CgroupPermissions, `${f}.CgroupPermissions`) || 'rwm',
    };
  });
}

/** Config.Healthcheck: Test and nanosecond durations, as Docker's HealthConfig. */
function healthcheck(v: unknown): Pick<ContainerCreateRequest, 'healthcheck'> {
  const h = obj(v, 'Healthcheck');
  if (!h) return {};
  const test = strSlice(h.Test, 'Healthcheck.Test');
  const out: NonNullable<ContainerCreateRequest['healthcheck']> = {};
  if (test?.length) out.Test = test;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    const n = num(h[k], `Healthcheck.${k}`);
    if (n !== undefined) out[k] = n;
  }
  return { healthcheck: out };
}

/** The whole body; `name` comes from the query. */
export function createRequestFromBody(body: Obj, name: string | undefined): CreateInput {
  const image = str(body.Image, 'Image');
  if (!image) throw invalidArgument('Config.Image is required');
  const hc = obj(body.HostConfig, 'HostConfig') ?? {};
  const nc = obj(body.NetworkingConfig, 'NetworkingConfig');
  const tmpfs = Object.entries(strMap(hc.Tmpfs, 'HostConfig.Tmpfs') ?? {}).map(([dst, o]) => (o ? `${dst}:${o}` : dst));
  const command = strSlice(body.Cmd, 'Cmd');
  const entrypoint = strSlice(body.Entrypoint, 'Entrypoint');
  const ulimits = list(hc.Ulimits, 'HostConfig.Ulimits').map((u, i) => {
    const n = str(u.Name, `HostConfig.Ulimits[${i}].Name`);
    if (!n) throw invalidArgument(`HostConfig.Ulimits[${i}].Name is required`);
    return `${n}=${num(u.Soft, `HostConfig.Ulimits[${i}].Soft`) ?? 0}:${num(u.Hard, `HostConfig.Ulimits[${i}].Hard`) ?? 0}`;
  });
  const nanoCpus = pos(hc.NanoCpus, 'HostConfig.NanoCpus');
  const pidsLimit = num(hc.PidsLimit, 'HostConfig.PidsLimit');
  const opts: ContainerCreateOptions = {
    ...(command?.length ? { command } : {}),
    ...(entrypoint ? { entrypoint: entrypoint.length ? entrypoint : [''] } : {}),
    env: strList(body.Env, 'Env') ?? [],
    ...(str(body.WorkingDir, 'WorkingDir') ? { workdir: body.WorkingDir as string } : {}),
    ...(str(body.User, 'User') ? { user: body.User as string } : {}),
    ...(str(body.Hostname, 'Hostname') ? { hostname: body.Hostname as string } : {}),
    labels: strMap(body.Labels, 'Labels') ?? {},
    ...(strList(hc.GroupAdd, 'HostConfig.GroupAdd')?.length ? { groupAdd: hc.GroupAdd as string[] } : {}),
    privileged: !!bool(hc.Privileged, 'HostConfig.Privileged'),
    capAdd: strList(hc.CapAdd, 'HostConfig.CapAdd') ?? [],
    capDrop: strList(hc.CapDrop, 'HostConfig.CapDrop') ?? [],
    security: security(hc),
    readOnly: !!bool(hc.ReadonlyRootfs, 'HostConfig.ReadonlyRootfs'),
    tmpfs,
    devices: devices(hc),
    ...(pos(hc.ShmSize, 'HostConfig.ShmSize') ? { shmSize: hc.ShmSize as number } : {}),
    sysctls: strMap(hc.Sysctls, 'HostConfig.Sysctls') ?? {},
    ulimits,
    tty: !!bool(body.Tty, 'Tty'),
    stdinOpen: !!bool(body.OpenStdin, 'OpenStdin'),
    resources: {
      memory: pos(hc.Memory, 'HostConfig.Memory'),
      memorySwap: num(hc.MemorySwap, 'HostConfig.MemorySwap') || undefined,
      memoryReservation: pos(hc.MemoryReservation, 'HostConfig.MemoryReservation'),
      cpus: nanoCpus ? nanoCpus / 1e9 : undefined,
      cpuShares: pos(hc.CpuShares, 'HostConfig.CpuShares'),
      cpuQuota: pos(hc.CpuQuota, 'HostConfig.CpuQuota'),
      cpuPeriod: pos(hc.CpuPeriod, 'HostConfig.CpuPeriod'),
      cpusetCpus: str(hc.CpusetCpus, 'HostConfig.CpusetCpus') || undefined,
      cpusetMems: str(hc.CpusetMems, 'HostConfig.CpusetMems') || undefined,
      pidsLimit,
      blkioWeight: pos(hc.BlkioWeight, 'HostConfig.BlkioWeight'),
    },
    ...(num(hc.OomScoreAdj, 'HostConfig.OomScoreAdj') ? { oomScoreAdj: hc.OomScoreAdj as number } : {}),
    ...(str(body.StopSignal, 'StopSignal') ? { stopSignal: body.StopSignal as string } : {}),
    ...(str(hc.CgroupParent, 'HostConfig.CgroupParent') ? { cgroupParent: hc.CgroupParent as string } : {}),
  };
  const restart = obj(hc.RestartPolicy, 'HostConfig.RestartPolicy');
  const log = obj(hc.LogConfig, 'HostConfig.LogConfig');
  const stopTimeout = num(body.StopTimeout, 'StopTimeout');
  const runtime = str(hc.Runtime, 'HostConfig.Runtime');
  return {
    image,
    ...(name ? { name: name.replace(/^\//, '') } : {}),
    opts,
    autoRemove: !!bool(hc.AutoRemove, 'HostConfig.AutoRemove'),
    ...(stopTimeout !== undefined ? { stopTimeout } : {}),
    ...(runtime && runtime !== 'runc' ? { runtime } : {}),
    ...network(hc, nc, str(body.MacAddress, 'MacAddress')),
    netFiles: {
      addHosts: strList(hc.ExtraHosts, 'HostConfig.ExtraHosts'),
      dns: strList(hc.Dns, 'HostConfig.Dns'),
      dnsSearch: strList(hc.DnsSearch, 'HostConfig.DnsSearch'),
      dnsOptions: strList(hc.DnsOptions, 'HostConfig.DnsOptions'),
    },
    exposedPorts: Object.keys(obj(body.ExposedPorts, 'ExposedPorts') ?? {}),
    ...(restart && str(restart.Name, 'RestartPolicy.Name')
      ? { restart: { name: restart.Name as string, maximumRetryCount: num(restart.MaximumRetryCount, 'RestartPolicy.MaximumRetryCount') ?? 0 } }
      : {}),
    binds: strList(hc.Binds, 'HostConfig.Binds') ?? [],
    mountSpecs: list(hc.Mounts, 'HostConfig.Mounts').map(mountSpec),
    anonymousVolumes: Object.keys(obj(body.Volumes, 'Volumes') ?? {}),
    ...(strList(hc.VolumesFrom, 'HostConfig.VolumesFrom')?.length ? { volumesFrom: hc.VolumesFrom as string[] } : {}),
    ...(bool(hc.Init, 'HostConfig.Init') ? { initProcess: true } : {}),
    namespaces: {
      pid: str(hc.PidMode, 'HostConfig.PidMode'),
      ipc: str(hc.IpcMode, 'HostConfig.IpcMode'),
      uts: str(hc.UTSMode, 'HostConfig.UTSMode'),
      cgroupns: str(hc.CgroupnsMode, 'HostConfig.CgroupnsMode'),
    },
    ...(strList(hc.Links, 'HostConfig.Links')?.length ? { linkSpecs: hc.Links as string[] } : {}),
    ...(str(hc.UsernsMode, 'HostConfig.UsernsMode') ? { usernsSpec: { mode: hc.UsernsMode as string } } : {}),
    ...(log ? { logConfig: { type: str(log.Type, 'HostConfig.LogConfig.Type') ?? '', config: strMap(log.Config, 'HostConfig.LogConfig.Config') ?? {} } } : {}),
    ...(bool(body.StdinOnce, 'StdinOnce') ? { stdinOnce: true } : {}),
    ...healthcheck(body.Healthcheck),
  };
}
