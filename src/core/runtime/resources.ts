/**
 * @module resources
 * Resource flags → linux.resources (v1 field meanings; runc converts them for cgroup v2) and
 * the cgroup path; the values were checked with dockerd's rules (resource-rules.ts).
 */
import { invalidArgument } from '../errdefs.js';
import type { ResourceOptions } from './create-options.js';
import { checkResourceValues } from './resource-rules.js';
import type { Resources } from './spec-types.js';

const CFS_PERIOD = 100000;

export function buildResources(r: ResourceOptions, defaultPidsLimit: number): Omit<Resources, 'devices'> {
  checkResourceValues(r);
  const out: Omit<Resources, 'devices'> = {};
  const mem: NonNullable<Resources['memory']> = {};
  if (r.memory !== undefined && r.memory > 0) mem.limit = r.memory;
  if (r.memorySwap !== undefined && r.memorySwap !== 0) {
    mem.swap = r.memorySwap;
  } else if (mem.limit !== undefined) {
    // Docker and Podman: no --memory-swap means as much swap as memory.
    mem.swap = 2 * mem.limit;
  }
  if (r.memoryReservation !== undefined && r.memoryReservation > 0) mem.reservation = r.memoryReservation;
  if (r.memorySwappiness !== undefined && r.memorySwappiness >= 0) mem.swappiness = r.memorySwappiness;
  if (r.oomKillDisable) mem.disableOOMKiller = true;
  if (Object.keys(mem).length) out.memory = mem;

  const cpu: NonNullable<Resources['cpu']> = {};
  if (r.cpus !== undefined && r.cpus > 0) {
    cpu.period = CFS_PERIOD;
    cpu.quota = Math.round(r.cpus * CFS_PERIOD);
  }
  if (r.cpuPeriod !== undefined && r.cpuPeriod > 0) cpu.period = r.cpuPeriod;
  if (r.cpuQuota !== undefined && r.cpuQuota !== 0) cpu.quota = r.cpuQuota;
  if (r.cpuShares !== undefined && r.cpuShares > 0) cpu.shares = r.cpuShares;
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length) out.cpu = cpu;

  const pids = r.pidsLimit ?? defaultPidsLimit;
  if (pids > 0) out.pids = { limit: pids };

  if (r.blkioWeight !== undefined && r.blkioWeight !== 0) out.blockIO = { weight: r.blkioWeight };
  return out;
}

export const DEFAULT_CGROUP_PARENT = '/skiff_parent';

/**
 * cgroupfs: `<parent>/skiff-<id>` (Podman: `/libpod_parent/libpod-<id>`); systemd:
 * `slice:prefix:name`, which runc expands to `<slice>/skiff-<id>.scope`.
 */
export function cgroupsPath(manager: 'cgroupfs' | 'systemd', id: string, parent?: string): string {
  if (manager === 'systemd') {
    const slice = parent || 'machine.slice';
    if (!slice.endsWith('.slice')) throw invalidArgument(`cgroup parent ${JSON.stringify(slice)} must be a systemd slice with the systemd cgroup manager`);
    return `${slice}:skiff:${id}`;
  }
  const p = parent || DEFAULT_CGROUP_PARENT;
  return `${p.startsWith('/') ? p : '/' + p}/skiff-${id}`.replace(/\/+/g, '/');
}
