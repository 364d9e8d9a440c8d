/**
 * Docker's `HostConfig` (API 1.41) of container inspect, from what the record holds. Every field
 * dockerd 20.10 sends is present; an option that was not given shows dockerd's zero value for it
 * (test/vendor/dockerd/container-inspect.json), so clients that read `.HostConfig.X` see what they
 * would on dockerd. Fields dockerd leaves out when unset (Init, Sysctls, Tmpfs, Mounts) are left
 * out here too.
 */
import { MASKED_PATHS, READONLY_PATHS } from '../../core/runtime/spec.js';
import type { MountRequest, SecurityOptions, UsernsMode } from '../../core/runtime/create-options.js';
import { dockerPorts } from '../networks/ports.js';
import type { ContainerContext } from './context.js';
import { linksDoc } from './links.js';
import { namespaceModes } from './ns-joins.js';
import type { ContainerRecord } from './types.js';

function usernsDoc(u: UsernsMode | undefined): string {
  if (!u) return '';
  if (u.mode === 'path') return `ns:${u.path}`;
  return u.mode;
}

/** `--security-opt` strings back from what they were read into; null when none (dockerd). */
function securityOptDoc(s: SecurityOptions | undefined): string[] | null {
  const out: string[] = [];
  if (s?.labelDisable) out.push('label=disable');
  if (s?.apparmor) out.push(`apparmor=${s.apparmor}`);
  if (s?.seccomp) out.push(s.seccomp === 'unconfined' ? 'seccomp=unconfined' : `seccomp=${JSON.stringify(s.seccomp)}`);
  if (s?.noNewPrivileges) out.push('no-new-privileges');
  return out.length ? out : null;
}

/** `nofile=1024:2048` → Docker's `{Name, Soft, Hard}`; a lone value is both limits. */
function ulimitDoc(spec: string): { Name: string; Soft: number; Hard: number } {
  const [name = '', limits = ''] = spec.split('=', 2);
  const [soft = '0', hard = soft] = limits.split(':');
  return { Name: name, Soft: Number(soft), Hard: Number(hard) };
}

/** `-v` strings for binds and named volumes (anonymous ones and `--mount`s are listed elsewhere). */
function binds(mounts: MountRequest[]): string[] | null {
  const out = mounts.flatMap((m) => {
    // --volumes-from mounts show as VolumesFrom, not as binds of their own.
    if (m.viaMount || (m.type !== 'tmpfs' && m.fromContainer)) return [];
    const opts = m.options?.length ? `:${m.options.join(',')}` : '';
    if (m.type === 'bind') return [`${m.source}:${m.destination}${opts}`];
    if (m.type === 'volume' && m.name && !m.anonymous) return [`${m.name}:${m.destination}${opts}`];
    return [];
  });
  return out.length ? out : null;
}

const PROPAGATIONS = /^r?(shared|slave|private)$/;

/** Docker's structured `Mounts` of the `--mount`s the container was made with. */
function mountSpecs(mounts: MountRequest[]): object[] {
  return mounts.flatMap((m) => {
    if (!m.viaMount || (m.type !== 'tmpfs' && m.fromContainer)) return [];
    const opts = m.options ?? [];
    const ro = opts.includes('ro') ? { ReadOnly: true } : {};
    if (m.type === 'tmpfs') {
      const size = opts.find((o) => o.startsWith('size='))?.slice(5);
      const mode = opts.find((o) => o.startsWith('mode='))?.slice(5);
      const tmpfs = { ...(size && /^\d+$/.test(size) ? { SizeBytes: Number(size) } : {}), ...(mode ? { Mode: parseInt(mode, 8) } : {}) };
      return [{ Type: 'tmpfs', Target: m.destination, ...ro, ...(Object.keys(tmpfs).length ? { TmpfsOptions: tmpfs } : {}) }];
    }
    if (m.type === 'bind') {
      const propagation = opts.find((o) => PROPAGATIONS.test(o));
      return [{ Type: 'bind', Source: m.source, Target: m.destination, ...ro, ...(propagation ? { BindOptions: { Propagation: propagation } } : {}) }];
    }
    const driverOpts = m.volumeOptions ? { Options: m.volumeOptions } : {};
    const volumeOptions = opts.includes('nocopy') || m.volumeOptions
      ? { VolumeOptions: { ...(opts.includes('nocopy') ? { NoCopy: true } : {}), DriverConfig: driverOpts } }
      : {};
    return [{ Type: 'volume', ...(m.name && !m.anonymous ? { Source: m.name } : {}), Target: m.destination, ...ro, ...volumeOptions }];
  });
}

export function hostConfigDoc(cc: ContainerContext, c: ContainerRecord) {
  const o = c.config.opts;
  const r = o.resources ?? {};
  const net = c.config.netFiles ?? {};
  const mounts = o.mounts ?? [];
  const specs = mountSpecs(mounts);
  const tmpfs = Object.fromEntries((o.tmpfs ?? []).map((t) => [t.split(':')[0], t.split(':').slice(1).join(':')]));
  return {
    Binds: binds(mounts),
    ContainerIDFile: '',
    // json-file is skiff's default as dockerd's, though conmon writes it in the k8s-file format.
    LogConfig: { Type: c.config.logConfig?.type || 'json-file', Config: c.config.logConfig?.config ?? {} },
    NetworkMode: c.config.networkMode,
    PortBindings: dockerPorts(c.config.ports ?? []) as Record<string, unknown>,
    RestartPolicy: { Name: c.config.restartPolicy?.name ?? 'no', MaximumRetryCount: c.config.restartPolicy?.maximumRetryCount ?? 0 },
    AutoRemove: c.config.autoRemove,
    VolumeDriver: '',
    VolumesFrom: c.config.volumesFrom?.length ? c.config.volumesFrom : null,
    ConsoleSize: [0, 0],
    CapAdd: o.capAdd?.length ? o.capAdd : null,
    CapDrop: o.capDrop?.length ? o.capDrop : null,
    Dns: net.dns ?? [],
    DnsOptions: net.dnsOptions ?? [],
    DnsSearch: net.dnsSearch ?? [],
    ExtraHosts: net.addHosts?.length ? net.addHosts : null,
    GroupAdd: o.groupAdd?.length ? o.groupAdd : null,
    Cgroup: '',
    Links: linksDoc(cc, c),
    OomScoreAdj: o.oomScoreAdj ?? 0,
    Privileged: !!o.privileged,
    PublishAllPorts: false,
    ReadonlyRootfs: !!o.readOnly,
    SecurityOpt: securityOptDoc(o.security),
    UsernsMode: usernsDoc(o.userns),
    ...namespaceModes(o),
    ShmSize: o.shmSize ?? 64 * 1024 * 1024,
    Runtime: c.config.runtime ?? 'runc',
    Isolation: '',
    CpuShares: r.cpuShares ?? 0,
    Memory: r.memory ?? 0,
    NanoCpus: Math.round((r.cpus ?? 0) * 1e9),
    CgroupParent: o.cgroupParent ?? '',
    BlkioWeight: r.blkioWeight ?? 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: r.cpuPeriod ?? 0,
    CpuQuota: r.cpuQuota ?? 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: r.cpusetCpus ?? '',
    CpusetMems: r.cpusetMems ?? '',
    Devices: (o.devices ?? []).map((d) => ({ PathOnHost: d.hostPath, PathInContainer: d.containerPath, CgroupPermissions: d.permissions })),
    DeviceCgroupRules: null,
    DeviceRequests: null,
    KernelMemory: 0,
    KernelMemoryTCP: 0,
    MemoryReservation: r.memoryReservation ?? 0,
    MemorySwap: r.memorySwap ?? 0,
    MemorySwappiness: r.memorySwappiness ?? null,
    OomKillDisable: !!r.oomKillDisable,
    // 0 and -1 mean unlimited, which dockerd reports as null.
    PidsLimit: r.pidsLimit !== undefined && r.pidsLimit > 0 ? r.pidsLimit : null,
    Ulimits: (o.ulimits ?? []).map(ulimitDoc),
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    // What the spec masks: none for a privileged container (dockerd sends null then).
    MaskedPaths: o.privileged ? null : [...MASKED_PATHS],
    ReadonlyPaths: o.privileged ? null : [...READONLY_PATHS],
    ...(o.init ? { Init: true } : {}),
    ...(Object.keys(o.sysctls ?? {}).length ? { Sysctls: o.sysctls } : {}),
    ...(Object.keys(tmpfs).length ? { Tmpfs: tmpfs } : {}),
    ...(specs.length ? { Mounts: specs } : {}),
  };
}
