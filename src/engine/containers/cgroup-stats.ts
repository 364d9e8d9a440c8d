import { readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** One reading of a container's cgroup counters (cumulative where the kernel keeps totals). */
export interface CgroupReading {
  /** CPU time used, nanoseconds. */
  cpuNs: number;
  memUsage: number;
  memLimit: number;
  blkRead: number;
  blkWrite: number;
  pids: number;
}

const CGROUP2_SUPER_MAGIC = 0x63677270;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function num(path: string): number {
  const v = Number.parseInt(read(path)?.trim() ?? '', 10);
  return Number.isFinite(v) ? v : 0;
}

function keyed(text: string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) m.set(k, Number(v));
  }
  return m;
}

/** MemTotal: what Docker shows as the limit of a container without one. */
export function hostMemory(): number {
  const m = /^MemTotal:\s+(\d+) kB/m.exec(read('/proc/meminfo') ?? '');
  return m ? Number(m[1]) * 1024 : 0;
}

/** v1 controller name → where its hierarchy is mounted (from mountinfo). */
function v1Mounts(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (read('/proc/self/mountinfo') ?? '').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const [fstype, , superOpts] = post.split(' ');
    if (fstype !== 'cgroup') continue;
    const mountPoint = pre.split(' ')[4]!;
    for (const opt of (superOpts ?? '').split(',')) if (!out.has(opt)) out.set(opt, mountPoint);
  }
  return out;
}

function isCgroup2(path: string): boolean {
  try {
    return statfsSync(path).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Reads the counters of the cgroup that `pid` is in: cgroup v2 when /sys/fs/cgroup is
 * cgroup2, else v1 (this includes hybrid hosts, whose unified hierarchy holds no controllers).
 */
export function readCgroup(pid: number): CgroupReading {
  const membership = (read(`/proc/${pid}/cgroup`) ?? '').split('\n').filter(Boolean);
  const limitOf = (v: number) => (v <= 0 || v >= 2 ** 62 ? hostMemory() : v);
  if (isCgroup2('/sys/fs/cgroup')) {
    const rel = membership.find((l) => l.startsWith('0::'))?.slice(3) ?? '/';
    const dir = join('/sys/fs/cgroup', rel);
    const cpu = keyed(read(join(dir, 'cpu.stat')));
    const mem = keyed(read(join(dir, 'memory.stat')));
    const max = read(join(dir, 'memory.max'))?.trim();
    let blkRead = 0;
    let blkWrite = 0;
    for (const line of (read(join(dir, 'io.stat')) ?? '').split('\n')) {
      blkRead += Number(/\brbytes=(\d+)/.exec(line)?.[1] ?? 0);
      blkWrite += Number(/\bwbytes=(\d+)/.exec(line)?.[1] ?? 0);
    }
    return {
      cpuNs: (cpu.get('usage_usec') ?? 0) * 1000,
      // docker's CLI leaves the inactive page cache out of "usage".
      memUsage: Math.max(0, num(join(dir, 'memory.current')) - (mem.get('inactive_file') ?? 0)),
      memLimit: !max || max === 'max' ? hostMemory() : limitOf(Number(max)),
      blkRead,
      blkWrite,
      pids: num(join(dir, 'pids.current')),
    };
  }
  const mounts = v1Mounts();
  const dirOf = (controller: string): string | undefined => {
    const line = membership.find((l) => l.split(':')[1]!.split(',').includes(controller));
    const mp = mounts.get(controller);
    return line && mp ? join(mp, line.split(':').slice(2).join(':')) : undefined;
  };
  const memDir = dirOf('memory');
  const cpuDir = dirOf('cpuacct');
  const blkDir = dirOf('blkio');
  const pidsDir = dirOf('pids');
  const mem = keyed(memDir && read(join(memDir, 'memory.stat')));
  let blkRead = 0;
  let blkWrite = 0;
  for (const line of (blkDir ? (read(join(blkDir, 'blkio.throttle.io_service_bytes')) ?? '') : '').split('\n')) {
    const [, op, v] = line.trim().split(/\s+/);
    if (op === 'Read') blkRead += Number(v);
    else if (op === 'Write') blkWrite += Number(v);
  }
  return {
    cpuNs: cpuDir ? num(join(cpuDir, 'cpuacct.usage')) : 0,
    memUsage: memDir ? Math.max(0, num(join(memDir, 'memory.usage_in_bytes')) - (mem.get('total_inactive_file') ?? 0)) : 0,
    memLimit: memDir ? limitOf(num(join(memDir, 'memory.limit_in_bytes'))) : hostMemory(),
    blkRead,
    blkWrite,
    pids: pidsDir ? num(join(pidsDir, 'pids.current')) : 0,
  };
}

/** Bytes received and sent on the container's interfaces other than loopback. */
export function readNetwork(pid: number): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of (read(`/proc/${pid}/net/dev`) ?? '').split('\n').slice(2)) {
    const [iface, rest] = line.split(':');
    if (!iface || rest === undefined || iface.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
  }
  return { rx, tx };
}
