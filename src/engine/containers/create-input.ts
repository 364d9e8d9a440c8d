/**
 * The one translation of a create request from Docker's vocabulary into the engine's. The CLI's
 * flags and the API's body say the same things in two syntaxes; each front only reads its
 * syntax into `CreateInput` (strings as the user wrote them, structures as the API sends them)
 * and every decision — what a `-v` source means, which binds get their source made, where the
 * init binary is, which user namespace, which restart policy — is taken here, once.
 */
import { posix } from 'node:path';
import { invalidArgument } from '../../core/errdefs.js';
import type { ContainerCreateOptions, MountRequest, NamespaceMode, NamespaceRequest, UsernsMode } from '../../core/runtime/create-options.js';
import { parseTmpfsFlag } from '../../core/runtime/mounts.js';
import { parseIdMap } from '../../core/runtime/spec.js';
import { parseRestartFlag } from './restart-policy.js';
import type { ContainerCreateRequest, LinkRequest, RestartPolicy } from './types.js';

/** `--mount` / `HostConfig.Mounts` items, field for field. */
export interface MountSpec {
  type?: string;
  source?: string;
  target?: string;
  readOnly?: boolean;
  /** bind-propagation / BindOptions.Propagation */
  propagation?: string;
  /** volume-nocopy / VolumeOptions.NoCopy */
  noCopy?: boolean;
  /** volume-driver / VolumeOptions.DriverConfig.Name */
  volumeDriver?: string;
  /** volume-opt / VolumeOptions.DriverConfig.Options */
  volumeOptions?: Record<string, string>;
  /** volume-label / VolumeOptions.Labels */
  volumeLabels?: Record<string, string>;
  /** tmpfs-size / TmpfsOptions.SizeBytes: bytes, or a size with a unit from the CLI */
  tmpfsSize?: number | string;
  /** tmpfs-mode / TmpfsOptions.Mode */
  tmpfsMode?: number;
}

export interface CreateInput extends Omit<ContainerCreateRequest, 'restartPolicy'> {
  /** `-v` / `HostConfig.Binds` as written: `[SRC:]DST[:OPTS]`. */
  binds?: string[];
  /**
   * Where bind sources starting with "." are taken from: the CLI's working directory (the
   * docker CLI makes them absolute before sending). Without it such a source is refused.
   */
  bindBase?: string;
  mountSpecs?: MountSpec[];
  /** `Config.Volumes`: anonymous volumes wherever no bind, mount or tmpfs already is. */
  anonymousVolumes?: string[];
  /** `--init` / `HostConfig.Init`: true runs the default init, a string names its host path (`--init-path`). */
  initProcess?: boolean | string;
  /** `--userns`, `--uidmap`, `--gidmap` / `HostConfig.UsernsMode`. */
  usernsSpec?: { mode?: string; uidmap?: string[]; gidmap?: string[] };
  /** `--restart NAME[:N]`, or the API's `RestartPolicy`. */
  restart?: string | RestartPolicy;
  /** `--pid`, `--ipc`, `--uts`, `--cgroupns` / HostConfig.PidMode, IpcMode, UTSMode, CgroupnsMode as written. */
  namespaces?: { pid?: string; ipc?: string; uts?: string; cgroupns?: string };
  /** `--link NAME[:ALIAS]` / HostConfig.Links (also `/NAME:/ME/ALIAS`, as inspect shows them). */
  linkSpecs?: string[];
}

/** Debian's catatonit, the init `--init` runs when no path is given (as Podman). */
export const DEFAULT_INIT = '/usr/bin/catatonit';
/** The range `--userns=auto` maps the container's ids to. */
const AUTO_USERNS = [{ containerID: 0, hostID: 100000, size: 65536 }];

function options(opts: string | undefined): string[] {
  return opts ? opts.split(',') : [];
}

/**
 * `-v` / Binds, one grammar for both: `DST[:OPTS]` is an anonymous volume; `SRC:DST[:OPTS]` a
 * bind when SRC is a path (its missing directory made at create, as dockerd makes it) and a
 * named volume otherwise.
 */
export function parseBind(spec: string, base?: string): MountRequest {
  const parts = spec.split(':');
  if (parts.length === 1 || (parts.length === 2 && !parts[1]!.startsWith('/'))) {
    const [dst, opts] = parts as [string, string | undefined];
    if (!dst.startsWith('/')) throw invalidArgument(`invalid volume specification "${spec}": the destination must be absolute`);
    return { type: 'volume', destination: dst, options: options(opts) };
  }
  if (parts.length > 3) throw invalidArgument(`invalid volume specification "${spec}": want [SRC:]DST[:OPTS]`);
  const [src, dst, opts] = parts as [string, string, string | undefined];
  if (!dst.startsWith('/')) throw invalidArgument(`invalid volume specification "${spec}": the destination must be absolute`);
  if (src === '') throw invalidArgument(`invalid volume specification "${spec}": empty source`);
  if (src.startsWith('/')) return { type: 'bind', source: posix.normalize(src), destination: dst, options: options(opts), createSource: true };
  if (src.startsWith('.')) {
    if (base === undefined) throw invalidArgument(`invalid volume specification "${spec}": a bind source must be an absolute path`);
    return { type: 'bind', source: posix.resolve(base, src), destination: dst, options: options(opts), createSource: true };
  }
  return { type: 'volume', name: src, destination: dst, options: options(opts) };
}

/** `--mount` / Mounts: a bind's source must exist (dockerd refuses it otherwise, unlike `-v`). */
export function parseMountSpec(m: MountSpec, base?: string): MountRequest {
  return { ...readMountSpec(m, base), viaMount: true };
}

function readMountSpec(m: MountSpec, base?: string): MountRequest {
  const type = m.type ?? 'volume';
  const target = m.target;
  if (!target) throw invalidArgument(`invalid mount config for type "${type}": field Target must not be empty`);
  if (!target.startsWith('/')) throw invalidArgument(`invalid mount config for type "${type}": invalid mount path: '${target}' mount path must be absolute`);
  const ro = m.readOnly ? 'ro' : 'rw';
  if (type === 'tmpfs') {
    if (m.source) throw invalidArgument('invalid mount config for type "tmpfs": field Source must not be specified');
    const size = m.tmpfsSize !== undefined && m.tmpfsSize !== 0 ? [`size=${m.tmpfsSize}`] : [];
    const mode = m.tmpfsMode !== undefined ? [`mode=${m.tmpfsMode.toString(8)}`] : [];
    return parseTmpfsFlag(`${target}:${[ro, ...size, ...mode].join(',')}`);
  }
  if (type === 'volume') {
    if ((m.volumeDriver ?? 'local') !== 'local') {
      throw invalidArgument(`invalid mount config for type "volume": only the local volume driver is supported`);
    }
    const labels = m.volumeLabels && Object.keys(m.volumeLabels).length ? { labels: m.volumeLabels } : {};
    // Checked by the engine once the volume has its name (dockerd's messages name it).
    const volumeOptions = m.volumeOptions && Object.keys(m.volumeOptions).length ? { volumeOptions: m.volumeOptions } : {};
    const options = [ro, ...(m.noCopy ? ['nocopy'] : [])];
    return { type: 'volume', ...(m.source ? { name: m.source } : {}), destination: target, options, ...labels, ...volumeOptions };
  }
  if (type !== 'bind') throw invalidArgument(`invalid mount config: mount type "${type}" is not supported`);
  if (!m.source) throw invalidArgument('invalid mount config for type "bind": field Source must not be empty');
  let source = m.source;
  if (!source.startsWith('/')) {
    if (base === undefined) throw invalidArgument(`invalid mount config for type "bind": invalid mount path: '${source}' mount path must be absolute`);
    source = posix.resolve(base, source);
  }
  return { type: 'bind', source, destination: target, options: [ro, ...(m.propagation ? [m.propagation] : [])] };
}

function userns(spec: CreateInput['usernsSpec']): UsernsMode | undefined {
  if (!spec) return undefined;
  if (spec.uidmap?.length || spec.gidmap?.length) {
    const uids = (spec.uidmap ?? spec.gidmap ?? []).map(parseIdMap);
    const gids = (spec.gidmap ?? spec.uidmap ?? []).map(parseIdMap);
    return { mode: 'private', uidMappings: uids, gidMappings: gids };
  }
  const mode = spec.mode ?? '';
  if (mode === '' || mode === 'host') return undefined;
  if (mode === 'auto' || mode === 'private') return { mode: 'private', uidMappings: AUTO_USERNS, gidMappings: AUTO_USERNS };
  throw invalidArgument(`unsupported user namespace mode "${mode}": use host, auto, or explicit uid/gid maps`);
}

function restart(r: CreateInput['restart']): RestartPolicy | undefined {
  if (r === undefined) return undefined;
  if (typeof r === 'string') return parseRestartFlag(r);
  return r.name === '' ? undefined : r;
}

/** dockerd's ParseLink: `NAME`, `NAME:ALIAS`, or inspect's `/NAME:/ME/ALIAS`. */
export function parseLink(spec: string): LinkRequest {
  const parts = spec.split(':');
  if (parts.length > 2 || !parts[0] || parts[1] === '') throw invalidArgument(`bad format for links: ${spec}`);
  if (parts.length === 1) return { name: spec.replace(/^\//, ''), alias: spec.replace(/^\//, '') };
  const [name, alias] = parts as [string, string];
  if (name.startsWith('/')) return { name: name.slice(1), alias: posix.basename(alias) };
  return { name, alias };
}

/**
 * Docker's namespace mode strings: `host`, `private` (the default), `container:NAME` where
 * dockerd lets a container join another's (pid, ipc), `shareable` for ipc, and Podman's
 * `ns:PATH`. dockerd's messages for what it refuses.
 */
function namespaceMode(kind: 'PID' | 'IPC' | 'UTS', v: string | undefined): NamespaceRequest | 'shareable' | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'host' || v === 'private') return v;
  if (v === 'shareable' && kind === 'IPC') return v;
  if (v.startsWith('ns:') && v.length > 3) return { path: v.slice(3) };
  if (v.startsWith('container:') && v.length > 10 && kind !== 'UTS') return { container: v.slice(10) };
  throw invalidArgument(kind === 'IPC' ? `Invalid IPC mode: ${v}` : `invalid ${kind} mode: ${v}`);
}

function namespaces(n: CreateInput['namespaces']): Pick<ContainerCreateOptions, 'pid' | 'ipc' | 'uts' | 'cgroupns'> {
  const pid = namespaceMode('PID', n?.pid);
  const ipc = namespaceMode('IPC', n?.ipc);
  const uts = namespaceMode('UTS', n?.uts) as NamespaceMode | undefined;
  const cg = n?.cgroupns;
  if (cg && cg !== 'host' && cg !== 'private') throw invalidArgument(`invalid cgroup namespace mode: ${cg}`);
  return {
    ...(pid && pid !== 'shareable' ? { pid } : {}),
    ...(ipc ? { ipc } : {}),
    ...(uts ? { uts } : {}),
    ...(cg === 'host' || cg === 'private' ? { cgroupns: cg } : {}),
  };
}

/** The engine's create request for what either front read. */
export function normalizeCreate(input: CreateInput): ContainerCreateRequest {
  const { binds, bindBase, mountSpecs, anonymousVolumes, initProcess, usernsSpec, restart: r, runtime, namespaces: ns0, linkSpecs, ...req } = input;
  const mounts: MountRequest[] = [
    ...(req.opts.mounts ?? []),
    ...(binds ?? []).map((b) => parseBind(b, bindBase)),
    ...(mountSpecs ?? []).map((m) => parseMountSpec(m, bindBase)),
  ];
  const tmpfs = req.opts.tmpfs ?? [];
  const taken = new Set([...mounts.map((m) => posix.normalize(m.destination)), ...tmpfs.map((t) => posix.normalize(t.split(':')[0]!))]);
  for (const dst of anonymousVolumes ?? []) {
    if (!taken.has(posix.normalize(dst))) mounts.push({ type: 'volume', destination: dst, options: [] });
  }
  const ns = userns(usernsSpec);
  const policy = restart(r);
  const init = initProcess === true ? DEFAULT_INIT : initProcess || undefined;
  return {
    ...req,
    opts: {
      ...req.opts,
      ...namespaces(ns0),
      mounts,
      ...(init ? { init } : {}),
      ...(ns ? { userns: ns } : {}),
    },
    ...(runtime ? { runtime } : {}),
    ...(policy ? { restartPolicy: policy } : {}),
    ...(linkSpecs?.length ? { links: linkSpecs.map(parseLink) } : {}),
  };
}
