import { dirname, join } from 'node:path';
import { commandArgs, mergeEnv } from '../../core/runtime/command.js';
import { familiarName } from '../../core/images/reference.js';
import type { ContainerContext } from './context.js';
import { isActive } from './state.js';
import { networkSettings, summaryPorts } from '../networks/container-net.js';
import type { ContainerRecord, ContainerSummary } from './types.js';
import { dataDir } from '../volumes/store.js';
import { hostConfigDoc } from './inspect-host-config.js';
import { healthSuffix } from '../../core/health.js';
import { resolveImage } from '../images/resolve.js';

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

const PROPAGATIONS = /^r?(shared|slave|private)$/;

/**
 * Docker's MountPoint list: binds, volumes and `--mount type=tmpfs` (dockerd lists those, but not
 * `--tmpfs`). Mode is what dockerd shows: a `-v` bind's options as written, "" for a `--mount`
 * bind, "z" for a volume without options (dockerd's default relabel mode).
 */
function mountPoints(cc: ContainerContext, c: ContainerRecord) {
  return (c.config.opts.mounts ?? []).flatMap((m) => {
    const opts = m.options ?? [];
    const rw = !opts.includes('ro');
    const propagation = opts.find((o) => PROPAGATIONS.test(o)) ?? (m.type === 'bind' ? 'rprivate' : '');
    if (m.type === 'tmpfs') return [{ Type: 'tmpfs', Source: '', Destination: m.destination, Mode: '', RW: rw, Propagation: '' }];
    if (m.type === 'bind') {
      const mode = m.viaMount ? '' : opts.join(',');
      return [{ Type: 'bind', Source: m.source, Destination: m.destination, Mode: mode, RW: rw, Propagation: propagation }];
    }
    if (!m.name) return [];
    const given = opts.filter((o) => o !== 'rw' && o !== 'nocopy' && !(m.viaMount && o === 'ro') && o !== propagation);
    const mode = given.length ? given.join(',') : 'z';
    return [{ Type: 'volume', Name: m.name, Source: dataDir(cc.ctx, m.name), Destination: m.destination, Driver: 'local', Mode: mode, RW: rw, Propagation: propagation }];
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

/**
 * The list's Image: the reference as the user gave it while it still names the container's
 * image, else the image ID (dockerd's list does the same).
 */
function listImage(cc: ContainerContext, c: ContainerRecord, resolved: Map<string, string | undefined>): string {
  const given = c.config.image;
  if (!c.imageId || given === c.imageId) return given;
  if (!resolved.has(given)) {
    try {
      resolved.set(given, resolveImage(cc.ctx.records, given).id);
    } catch {
      // gone or ambiguous now: the ID, as dockerd shows it
      resolved.set(given, undefined);
    }
  }
  return resolved.get(given) === c.imageId ? given : c.imageId;
}

/** A running container's ports as dockerd lists them: published ones, then exposed ones without a binding. */
function listPorts(c: ContainerRecord): ContainerSummary['Ports'] {
  const published = summaryPorts(c);
  if (!c.state.net) return published;
  const bound = new Set(published.map((p) => `${p.PrivatePort}/${p.Type}`));
  const exposed = Object.keys(exposedPorts(c)).flatMap((k) => {
    const [port = '', proto = 'tcp'] = k.split('/');
    return bound.has(`${port}/${proto}`) ? [] : [{ PrivatePort: Number(port), Type: proto }];
  });
  return [...published, ...exposed];
}

/** dockerd's overlay2 GraphDriver.Data keys: the image's layers (top first) below the writable one. */
function graphData(cc: ContainerContext, c: ContainerRecord): Record<string, string> | null {
  if (!c.layerId) return null;
  const driver = cc.ctx.driver;
  const upper = driver.diffPath(c.layerId);
  const data: Record<string, string> = { MergedDir: cc.paths(c.id).rootfs, UpperDir: upper };
  if (driver.name !== 'overlay') return data;
  const lowers: string[] = [];
  for (let l = cc.ctx.records.layer(c.layerId)?.parent; l; l = cc.ctx.records.layer(l)?.parent) lowers.push(driver.diffPath(l));
  return { ...(lowers.length ? { LowerDir: lowers.join(':') } : {}), ...data, WorkDir: join(dirname(upper), 'work') };
}

/** `--mac-address` as dockerd 20.10 keeps it in Config. */
function firstMac(c: ContainerRecord): string | undefined {
  return Object.values(c.config.networks ?? {})[0]?.mac;
}

/**
 * The list's row for `c`. `resolved` carries image references already resolved by earlier rows
 * of the same list (500 containers of one image resolve its name once).
 */
export function summarize(
  cc: ContainerContext,
  c: ContainerRecord,
  since: (iso: string) => string,
  resolved = new Map<string, string | undefined>(),
): ContainerSummary {
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
    Image: listImage(cc, c, resolved),
    ImageID: c.imageId ?? '',
    Command: args.join(' '),
    Created: Math.floor(c.created / 1000),
    State: s.status,
    Status: status,
    Ports: listPorts(c),
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
    HostConfig: hostConfigDoc(cc, c),
    GraphDriver: {
      Name: driver.name,
      Data: graphData(cc, c),
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
