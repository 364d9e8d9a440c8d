/**
 * @module mounts
 * The filesystem a container starts with: Podman's standard kernel-filesystem mounts, the
 * engine's bind-mounted /etc files, then the user's binds and tmpfs mounts, which win over a
 * default at the same destination.
 */
import { invalidArgument } from '../errdefs.js';
import type { RunFiles, MountRequest, TmpfsMountRequest } from './create-options.js';
import type { Mount } from './spec-types.js';

export interface StandardMountsInput {
  privileged: boolean;
  /** /sys cannot be mounted fresh without owning a network namespace: bind the host's instead. */
  hostNetwork: boolean;
  hostIpc: boolean;
  /** Omit gid=5 on /dev/pts when the user namespace does not map gid 5. */
  ptsGid5: boolean;
  shmSize: number;
  files: RunFiles;
}

export function standardMounts(i: StandardMountsInput): Mount[] {
  const ro = i.privileged ? 'rw' : 'ro';
  const sys: Mount = i.hostNetwork
    ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rprivate', 'nosuid', 'noexec', 'nodev', ro, 'rbind'] }
    : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ro] };
  const mounts: Mount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'noexec', 'strictatime', 'mode=755', 'size=65536k'] },
    sys,
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(i.ptsGid5 ? ['gid=5'] : [])],
    },
    i.hostIpc
      ? { destination: '/dev/mqueue', type: 'bind', source: '/dev/mqueue', options: ['bind', 'nosuid', 'noexec', 'nodev'] }
      : { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];
  const etc: [keyof RunFiles, string][] = [
    ['resolvConf', '/etc/resolv.conf'],
    ['hosts', '/etc/hosts'],
    ['hostname', '/etc/hostname'],
    ['containerEnv', '/run/.containerenv'],
  ];
  for (const [key, dest] of etc) {
    const src = i.files[key];
    if (src) mounts.push({ destination: dest, type: 'bind', source: src, options: ['bind', 'rprivate'] });
  }
  if (i.hostIpc) {
    mounts.push({ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['bind', 'rprivate', 'nosuid', 'noexec', 'nodev'] });
  } else if (i.files.shm) {
    mounts.push({ destination: '/dev/shm', type: 'bind', source: i.files.shm, options: ['bind', 'rprivate', 'nosuid', 'noexec', 'nodev'] });
  } else {
    mounts.push({
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${i.shmSize}`],
    });
  }
  mounts.push({
    destination: '/sys/fs/cgroup',
    type: 'cgroup',
    source: 'cgroup',
    options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'relatime', ro],
  });
  return mounts;
}

/** `--tmpfs /run:rw,size=64m,mode=1777`. */
export function parseTmpfsFlag(s: string): TmpfsMountRequest {
  const i = s.indexOf(':');
  const destination = i < 0 ? s : s.slice(0, i);
  const options = i < 0 ? [] : s.slice(i + 1).split(',').filter(Boolean);
  if (!destination.startsWith('/')) throw invalidArgument(`invalid tmpfs ${JSON.stringify(s)}: destination must be absolute`);
  return { type: 'tmpfs', destination, options };
}

const PROPAGATION = ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'unbindable', 'runbindable'];
/** Each flag and the flag that cancels it. */
const OPPOSITE: Record<string, string> = {
  ro: 'rw', rw: 'ro', exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev',
};

/** Later options replace earlier ones they contradict (user options after defaults). */
function mergeOptions(defaults: string[], user: string[]): string[] {
  const out = [...defaults];
  for (const o of user) {
    const opp = OPPOSITE[o];
    if (opp) {
      const j = out.indexOf(opp);
      if (j >= 0) out.splice(j, 1);
    }
    const key = o.includes('=') ? o.slice(0, o.indexOf('=') + 1) : undefined;
    if (key) {
      const j = out.findIndex((x) => x.startsWith(key));
      if (j >= 0) out.splice(j, 1);
    }
    if (!out.includes(o)) out.push(o);
  }
  return out;
}

function tmpfsMount(r: TmpfsMountRequest): Mount {
  // Podman's defaults; tmpcopyup (runc and crun) seeds the tmpfs with the image's files there.
  const options = mergeOptions(['rw', 'rprivate', 'noexec', 'nosuid', 'nodev', 'tmpcopyup'], r.options ?? []);
  return { destination: r.destination, type: 'tmpfs', source: 'tmpfs', options };
}

function bindMount(source: string, destination: string, user: string[]): Mount {
  // z/Z ask for an SELinux relabel, which the engine does (or skips) on the host side.
  const opts = user.filter((o) => o !== 'z' && o !== 'Z' && o !== 'U');
  const bind = opts.includes('bind') ? 'bind' : 'rbind';
  const rest = opts.filter((o) => o !== 'bind' && o !== 'rbind');
  const withProp = rest.some((o) => PROPAGATION.includes(o)) ? rest : [...rest, 'rprivate'];
  return { destination, type: 'bind', source, options: [bind, ...mergeOptions([], withProp)] };
}

export function userMount(r: MountRequest): Mount {
  if (!r.destination.startsWith('/')) throw invalidArgument(`mount destination ${JSON.stringify(r.destination)} must be absolute`);
  if (r.type === 'tmpfs') return tmpfsMount(r);
  if (r.type === 'volume') throw invalidArgument(`volume mount at ${r.destination} was not resolved to its directory`);
  if (!r.source.startsWith('/')) throw invalidArgument(`bind source ${JSON.stringify(r.source)} must be an absolute path`);
  return bindMount(r.source, r.destination, r.options ?? []);
}

export function initMount(hostPath: string, destination: string): Mount {
  return { destination, type: 'bind', source: hostPath, options: ['bind', 'ro', 'rprivate'] };
}

function normalize(p: string): string {
  const t = p.replace(/\/+/g, '/');
  return t.length > 1 ? t.replace(/\/$/, '') : t;
}

/**
 * Defaults replaced by user mounts at the same destination, then user mounts ordered by depth
 * so a parent is mounted before its children (Podman's sortMounts).
 */
export function combineMounts(defaults: Mount[], user: Mount[]): Mount[] {
  const seen = new Set<string>();
  for (const m of user) {
    const d = normalize(m.destination);
    if (seen.has(d)) throw invalidArgument(`duplicate mount destination ${d}`);
    seen.add(d);
  }
  const kept = defaults.filter((m) => !seen.has(normalize(m.destination)));
  // A user mount over /dev (or /sys) hides defaults below it only if they come first; Podman
  // drops the standard /dev/* mounts when /dev itself is user-supplied.
  const hidden = (d: Mount) =>
    [...seen].some((u) => u !== '/' && normalize(d.destination).startsWith(u + '/') && (u === '/dev' || u === '/sys'));
  const depth = (m: Mount) => normalize(m.destination).split('/').length;
  const sortedUser = user.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m) - depth(b.m) || a.i - b.i).map((x) => x.m);
  return [...kept.filter((d) => !hidden(d)), ...sortedUser];
}
