/**
 * Limits need cgroups, and a user who is not root has none to write here: cgroup v1 gives no
 * user a subtree, and skiff has no systemd-delegated v2 tree to use. A limit asked for is
 * refused by name rather than silently not applied (Podman drops them with a warning).
 */
import { failedPrecondition } from '../../core/errdefs.js';
import type { ResourceOptions } from '../../core/runtime/create-options.js';
import { statfsSync } from 'node:fs';
import { rootlessUid } from '../../sys/linux/rootless-uid.js';

const FLAGS: [keyof ResourceOptions, string][] = [
  ['memory', '--memory'],
  ['memorySwap', '--memory-swap'],
  ['memoryReservation', '--memory-reservation'],
  ['memorySwappiness', '--memory-swappiness'],
  ['oomKillDisable', '--oom-kill-disable'],
  ['cpus', '--cpus'],
  ['cpuShares', '--cpu-shares'],
  ['cpuQuota', '--cpu-quota'],
  ['cpuPeriod', '--cpu-period'],
  ['cpusetCpus', '--cpuset-cpus'],
  ['cpusetMems', '--cpuset-mems'],
  ['pidsLimit', '--pids-limit'],
  ['blkioWeight', '--blkio-weight'],
];

/** Whether containers may have limits here: root, or (not yet) a user with a delegated cgroup v2 tree. */
export function limitsAvailable(): boolean {
  return rootlessUid() === undefined;
}

/** Why limits are unavailable, for `info` and the refusal; undefined where they are. */
export function limitsUnavailableReason(): string | undefined {
  if (limitsAvailable()) return undefined;
  return !cgroup2()
    ? 'rootless containers have no cgroups on a cgroup v1 host'
    : 'rootless containers have no cgroups: skiff does not use a systemd-delegated cgroup v2 tree yet';
}

function cgroup2(): boolean {
  try {
    return statfsSync('/sys/fs/cgroup').type === 0x63677270;
  } catch {
    return false;
  }
}

export function checkRootlessLimits(r: ResourceOptions | undefined, cgroupParent?: string): void {
  const why = limitsUnavailableReason();
  if (!why || !r) {
    if (why && cgroupParent) throw failedPrecondition(`--cgroup-parent cannot be honoured: ${why}`);
    return;
  }
  const asked = FLAGS.filter(([k]) => {
    const v = r[k];
    // 0 and negative values (-1: unlimited swap or pids) ask for no limit.
    return v === true || (typeof v === 'string' && v !== '') || (typeof v === 'number' && v > 0);
  }).map(([, f]) => f);
  if (cgroupParent) asked.push('--cgroup-parent');
  if (asked.length > 0) throw failedPrecondition(`${asked.join(', ')}: resource limits cannot be applied: ${why}`);
}
