/**
 * @module engine/containers/spec/host-facts
 * Reads what spec generation needs to know about this host. Each fact falls back to the
 * cautious answer when it cannot be read (a finite rlimit is never invented: it is left out,
 * and the spec then keeps its own value).
 */
import { readdirSync, readFileSync, lstatSync, statfsSync, existsSync } from 'node:fs';
import { arch as osArch, hostname as osHostname, release } from 'node:os';
import { join } from 'node:path';
import type { HostDevice, HostFacts, HostRlimit } from '../../../core/runtime/host-facts.js';
import { inUserNamespace, rootlessUid } from '../../../sys/linux/rootless-uid.js';
import { ALL_CAPABILITIES } from '../../../core/runtime/capabilities.js';

/** /proc/<pid>/limits row titles → OCI rlimit types. */
const LIMIT_NAMES: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

const CGROUP2_SUPER_MAGIC = 0x63677270;
const CAP_SYS_RESOURCE = 24;

/** Node has no getrlimit(2): the kernel's text table is the portable way. */
export function parseProcLimits(text: string): Record<string, HostRlimit> {
  const out: Record<string, HostRlimit> = {};
  for (const line of text.split('\n').slice(1)) {
    // Columns are fixed-width: title (26), soft (21), hard (21), units.
    const title = line.slice(0, 26).trim();
    const type = LIMIT_NAMES[title];
    if (!type) continue;
    const [soft, hard] = line.slice(26).trim().split(/\s+/);
    const num = (v: string | undefined) => (v === 'unlimited' ? Infinity : Number(v));
    const s = num(soft);
    const h = num(hard);
    if (Number.isNaN(s) || Number.isNaN(h)) continue;
    out[type] = { soft: s, hard: h };
  }
  return out;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Directories runc's device walker skips: mounts of their own, not devices to copy. */
const SKIP_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

export function listHostDevices(root = '/dev'): HostDevice[] {
  const out: HostDevice[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      let st;
      try {
        st = lstatSync(p, { bigint: false });
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name)) walk(p);
        continue;
      }
      // /dev/console belongs to whoever owns the terminal, not to the container.
      if (p === join(root, 'console')) continue;
      const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
      if (!type) continue;
      const rdev = st.rdev;
      // glibc's gnu_dev_major/minor encoding.
      const major = ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
      const minor = (rdev & 0xff) | ((rdev >>> 12) & 0xfff00);
      out.push({ path: p, type, major, minor, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
    }
  };
  walk(root);
  return out;
}

function capField(status: string, field: 'CapEff' | 'CapBnd'): bigint | undefined {
  const m = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, 'm').exec(status);
  return m ? BigInt('0x' + m[1]) : undefined;
}

function hasBit(mask: bigint | undefined, bit: number): boolean {
  return mask !== undefined && ((mask >> BigInt(bit)) & 1n) === 1n;
}

const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64' };

function boundingCaps(mask: bigint | undefined): string[] | undefined {
  if (mask === undefined) return undefined;
  return ALL_CAPABILITIES.filter((_, i) => hasBit(mask, i));
}

function ownGidMap(): NonNullable<HostFacts['ownGidMap']> {
  return (read('/proc/self/gid_map') ?? '')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every(Number.isInteger))
    .map(([c, h, n]) => ({ containerID: c!, hostID: h!, size: n! }));
}

export function readHostFacts(): HostFacts {
  const status = read('/proc/self/status') ?? '';
  let cgroupVersion: 1 | 2 = 1;
  try {
    if (statfsSync('/sys/fs/cgroup').type === CGROUP2_SUPER_MAGIC) cgroupVersion = 2;
  } catch {
    // No cgroup mount at all: v1 paths are the more forgiving guess for runc.
  }
  const pid1 = (read('/proc/1/comm') ?? '').trim();
  const seccompField = /^Seccomp:\s*(\d+)$/m.exec(status);
  const lastCap = Number((read('/proc/sys/kernel/cap_last_cap') ?? '').trim());
  const a = osArch();
  return {
    rlimits: parseProcLimits(read('/proc/self/limits') ?? ''),
    cgroupVersion,
    cgroupManager: pid1 === 'systemd' ? 'systemd' : 'cgroupfs',
    cgroups: rootlessUid() === undefined,
    ...(inUserNamespace() ? { ownGidMap: ownGidMap() } : {}),
    devices: listHostDevices(),
    // A kernel without seccomp has no Seccomp: line at all.
    seccomp: seccompField !== null || existsSync('/proc/sys/kernel/seccomp'),
    apparmor: (read('/sys/module/apparmor/parameters/enabled') ?? '').trim() === 'Y' || existsSync('/sys/kernel/security/apparmor'),
    oomScoreAdj: Number((read('/proc/self/oom_score_adj') ?? '0').trim()) || 0,
    canLowerOom: hasBit(capField(status, 'CapEff'), CAP_SYS_RESOURCE),
    boundingCaps: boundingCaps(capField(status, 'CapBnd')),
    arch: GOARCH[a] ?? a,
    lastCap: Number.isInteger(lastCap) && lastCap > 0 ? lastCap : 40,
    kernel: release(),
    hostname: osHostname(),
  };
}
