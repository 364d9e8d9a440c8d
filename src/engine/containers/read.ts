import { commandArgs, mergeEnv } from '../../core/runtime/command.js';
import { familiarName } from '../../core/images/reference.js';
import type { ContainerContext } from './context.js';
import { isActive } from './state.js';
import { networkSettings, summaryPorts } from '../networks/container-net.js';
import type { ContainerRecord, ContainerSummary } from './types.js';
import type { MountRequest } from '../../core/runtime/create-options.js';
import { dataDir } from '../volumes/store.js';
import { dockerPorts } from '../networks/ports.js';
import { healthSuffix } from '../../core/health.js';
import { linksDoc } from './links.js';
import { namespaceModes } from './ns-joins.js';

function argsOf(c: ContainerRecord): string[] {
  try {
    return commandArgs(c.config.imageConfig, c.config.opts);
  } catch {
    return [];
  }
}

/** The image's exposed ports and the request's, as Docker's `{"80/tcp": {}}`. */
function exposedPorts(c: ContainerRecord): Record<string, object> {
  const own = (c.config.exposedPorts ?? []).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}]);
  return { ...(c.config.imageConfig.ExposedPorts ?? {}), ...Object.fromEntries(own) };
}

function modeOf(m: MountRequest): { rw: boolean; mode: string; propagation: string } {
  const opts = m.options ?? [];
  const propagation = opts.find((o) => /^r?(shared|slave|private)$/.test(o)) ?? (m.type === 'bind' ? 'rprivate' : '');
  return { rw: !opts.includes('ro'), mode: opts.filter((o) => o !== 'rw' && o !== 'ro' && o !== propagation).join(','), propagation };
}

/** Docker's MountPoint list: binds and volumes (tmpfs mounts are not listed, as in Docker). */
function mountPoints(cc: ContainerContext, c: ContainerRecord) {
  return (c.config.opts.mounts ?? []).flatMap((m) => {
    const { rw, mode, propagation } = modeOf(m);
    if (m.type === 'bind') return [{ Type: 'bind', Source: m.source, Destination: m.destination, Mode: mode, RW: rw, Propagation: propagation }];
    if (m.type === 'volume' && m.name) {
      return [{ Type: 'volume', Name: m.name, Source: dataDir(cc.ctx, m.name), Destination: m.destination, Driver: 'local', Mode: mode, RW: rw, Propagation: propagation }];
    }
    return [];
  });
}

/** `-v` strings for binds and named volumes (anonymous ones are listed in Mounts only). */
function binds(c: ContainerRecord): string[] {
  return (c.config.opts.mounts ?? []).flatMap((m) => {
    if (m.type !== 'tmpfs' && m.fromContainer) return [];
    const opts = m.options?.length ? `:${m.options.join(',')}` : '';
    if (m.type === 'bind') return [`${m.source}:${m.destination}${opts}`];
    if (m.type === 'volume' && m.name && !m.anonymous) return [`${m.name}:${m.destination}${opts}`];
    return [];
  });
}

function imageName(cc: ContainerContext, c: ContainerRecord): string {
  const img = c.imageId ? cc.ctx.records.image(c.imageId) : undefined;
  if (img?.names.length) {
    const given = c.config.image;
    const match = img.names.find((n) => familiarName(n) === given || n === given);
    return familiarName(match ?? img.names[0]!);
  }
  return c.config.image;
}

/** `--mac-address` as dockerd 20.10 keeps it in Config. */
function firstMac(c: ContainerRecord): string | undefined {
  return Object.values(c.config.networks ?? {})[0]?.mac;
}

export function summarize(cc: ContainerContext, c: ContainerRecord, since: (iso: string) => string): ContainerSummary {
  const args = argsOf(c);
  const s = c.state;
  let status: string;
  switch (s.status) {
    case 'running':
      status = `Up ${since(s.startedAt)}${healthSuffix(s.health?.status)}`;
      break;
    case 'restarting':
      status = `Restarting (${s.exitCode}) ${since(s.finishedAt)} ago`;
      break;
    case 'paused':
      status = `Up ${since(s.startedAt)} (Paused)`;
      break;
    case 'exited':
      status = `Exited (${s.exitCode}) ${since(s.finishedAt)} ago`;
      break;
    case 'created':
      status = 'Created';
      break;
    default:
      status = s.status[0]!.toUpperCase() + s.status.slice(1);
  }
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: imageName(cc, c),
    ImageID: c.imageId ?? '',
    Command: args.join(' '),
    Created: Math.floor(c.created / 1000),
    State: s.status,
    Status: status,
    Ports: summaryPorts(c),
    Labels: { ...(c.config.imageConfig.Labels ?? {}), ...(c.config.opts.labels ?? {}) },
    HostConfig: { NetworkMode: c.config.networkMode },
    NetworkSettings: { Networks: networkSettings(c, undefined, cc.ctx.config.network.defaultNetwork).Networks },
    Mounts: mountPoints(cc, c),
    ExitCode: s.exitCode,
  };
}

/** Docker's container inspect document. */
export function inspectDoc(cc: ContainerContext, c: ContainerRecord) {
  const p = cc.paths(c.id);
  const o = c.config.opts;
  const ic = c.config.imageConfig;
  const args = argsOf(c);
  const s = c.state;
  const driver = cc.ctx.driver;
  return {
    Id: c.id,
    Created: new Date(c.created).toISOString(),
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: {
      Status: s.status,
      // Docker's restarting container is Running and Restarting (a stop still acts on it).
      Running: isActive(s.status) || s.status === 'restarting',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ConmonPid: s.conmonPid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt,
      FinishedAt: s.finishedAt,
      ...(s.health
        ? { Health: { Status: s.health.status, FailingStreak: s.health.failingStreak, Log: s.health.log } }
        : {}),
    },
    Image: c.imageId ?? '',
    ImageName: imageName(cc, c),
    ResolvConfPath: `${p.userdata}/resolv.conf`,
    HostnamePath: `${p.userdata}/hostname`,
    HostsPath: `${p.userdata}/hosts`,
    LogPath: p.logPath,
    Name: `/${c.name}`,
    RestartCount: s.restartCount ?? 0,
    Driver: driver.name,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: {
      AutoRemove: c.config.autoRemove,
      NetworkMode: c.config.networkMode,
      ...namespaceModes(o),
      Links: linksDoc(cc, c),
      Privileged: !!o.privileged,
      ReadonlyRootfs: !!o.readOnly,
      CapAdd: o.capAdd ?? null,
      CapDrop: o.capDrop ?? null,
      Memory: o.resources?.memory ?? 0,
      MemorySwap: o.resources?.memorySwap ?? 0,
      MemoryReservation: o.resources?.memoryReservation ?? 0,
      NanoCpus: Math.round((o.resources?.cpus ?? 0) * 1e9),
      CpuShares: o.resources?.cpuShares ?? 0,
      CpuQuota: o.resources?.cpuQuota ?? 0,
      CpuPeriod: o.resources?.cpuPeriod ?? 0,
      CpusetCpus: o.resources?.cpusetCpus ?? '',
      CpusetMems: o.resources?.cpusetMems ?? '',
      PidsLimit: o.resources?.pidsLimit ?? null,
      BlkioWeight: o.resources?.blkioWeight ?? 0,
      ShmSize: o.shmSize ?? 64 * 1024 * 1024,
      Runtime: c.config.runtime ?? 'runc',
      Init: !!o.init,
      Sysctls: o.sysctls ?? {},
      Tmpfs: Object.fromEntries((o.tmpfs ?? []).map((t) => [t.split(':')[0], t.split(':')[1] ?? ''])),
      Binds: binds(c),
      VolumesFrom: c.config.volumesFrom ?? null,
      PortBindings: dockerPorts(c.config.ports ?? []) as Record<string, unknown>,
      PublishAllPorts: false,
      RestartPolicy: { Name: c.config.restartPolicy?.name ?? 'no', MaximumRetryCount: c.config.restartPolicy?.maximumRetryCount ?? 0 },
      // json-file is skiff's default as dockerd's, though conmon writes it in the k8s-file format.
      LogConfig: { Type: c.config.logConfig?.type || 'json-file', Config: c.config.logConfig?.config ?? {} },
    },
    GraphDriver: {
      Name: driver.name,
      Data: c.layerId ? { UpperDir: driver.diffPath(c.layerId), MergedDir: p.rootfs } : null,
    },
    Mounts: mountPoints(cc, c),
    Config: {
      Hostname: o.hostname ?? c.id.slice(0, 12),
      Domainname: '',
      User: o.user ?? ic.User ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: !!o.tty,
      OpenStdin: !!o.stdinOpen,
      StdinOnce: !!c.config.stdinOnce,
      ExposedPorts: Object.keys(exposedPorts(c)).length ? exposedPorts(c) : null,
      // merged as dockerd merges at create: a request's NAME replaces the image's, a bare NAME too
      Env: mergeEnv(ic.Env, o.env),
      Cmd: o.command?.length ? o.command : (ic.Cmd ?? null),
      Image: c.config.image,
      Volumes: ic.Volumes ?? null,
      WorkingDir: o.workdir ?? ic.WorkingDir ?? '',
      Entrypoint: o.entrypoint ?? ic.Entrypoint ?? null,
      OnBuild: ic.OnBuild ?? null,
      Labels: { ...(ic.Labels ?? {}), ...(o.labels ?? {}) },
      StopSignal: o.stopSignal ?? ic.StopSignal ?? 'SIGTERM',
      StopTimeout: c.config.stopTimeout,
      ...(firstMac(c) ? { MacAddress: firstMac(c) } : {}),
      ...(c.config.healthcheck ? { Healthcheck: c.config.healthcheck } : {}),
      ...(c.config.healthOnFailure ? { HealthcheckOnFailureAction: c.config.healthOnFailure } : {}),
    },
    NetworkSettings: networkSettings(c, exposedPorts(c), cc.ctx.config.network.defaultNetwork),
  };
}
