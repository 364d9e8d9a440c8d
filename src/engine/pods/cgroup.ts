/**
 * `pod create --cpus/--memory`: the pod's own cgroup, the parent of every container of the pod
 * (Podman's pod cgroup), holding the limits the containers share. Made at create with the
 * cgroupfs manager (runc then makes each container's cgroup below it), removed with the pod.
 */
import { mkdirSync, readdirSync, rmdirSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CGROUP_PARENT } from '../../core/runtime/resources.js';
import { notImplemented } from '../../core/errdefs.js';

const ROOT = '/sys/fs/cgroup';
const CGROUP2_SUPER_MAGIC = 0x63677270;
const PERIOD = 100_000;

export interface PodLimits {
  cpus?: number;
  memory?: number;
}

function cgroup2(): boolean {
  try {
    return statfsSync(ROOT).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/** The cgroup parent the pod's containers get (a path below skiff's own parent). */
export function podCgroupParent(podId: string): string {
  return `${DEFAULT_CGROUP_PARENT}/skiff-pod-${podId}`;
}

export function makePodCgroup(parent: string, limits: PodLimits, manager: 'cgroupfs' | 'systemd'): void {
  if (manager !== 'cgroupfs') throw notImplemented('pod --cpus/--memory need the cgroupfs cgroup manager');
  if (cgroup2()) {
    // Each level hands the controllers down to the next: the root's, skiff's parent, the pod's.
    const dir = join(ROOT, parent);
    mkdirSync(dir, { recursive: true });
    let at = ROOT;
    for (const part of parent.split('/').filter(Boolean)) {
      writeFileSync(join(at, 'cgroup.subtree_control'), '+cpu +memory');
      at = join(at, part);
    }
    writeFileSync(join(dir, 'cgroup.subtree_control'), '+cpu +memory');
    if (limits.memory) writeFileSync(join(dir, 'memory.max'), String(limits.memory));
    if (limits.cpus) writeFileSync(join(dir, 'cpu.max'), `${Math.round(limits.cpus * PERIOD)} ${PERIOD}`);
    return;
  }
  if (limits.memory) {
    const dir = join(ROOT, 'memory', parent);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limits.memory));
  }
  if (limits.cpus) {
    const dir = join(ROOT, 'cpu', parent);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(Math.round(limits.cpus * PERIOD)));
  }
}

/** After the pod's containers went: its cgroup in every hierarchy runc made it in. */
export function removePodCgroup(parent: string): void {
  const dirs = cgroup2() ? [join(ROOT, parent)] : readdirSync(ROOT).map((h) => join(ROOT, h, parent));
  for (const d of dirs) {
    try {
      rmdirSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
  }
}
