/** The CPUs and memory nodes containers may be given here, for the create-time resource checks. */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { HostCpuFacts } from '../../core/runtime/resource-rules.js';

function firstReadable(paths: string[]): string | undefined {
  for (const p of paths) {
    try {
      const s = readFileSync(p, 'utf8').trim();
      if (s) return s;
    } catch {
      // not this hierarchy
    }
  }
  return undefined;
}

/** cgroup v2's effective sets, v1's root cpuset, then what the kernel has online. */
export function readHostCpuFacts(): HostCpuFacts {
  const cpusetCpus = firstReadable(['/sys/fs/cgroup/cpuset.cpus.effective', '/sys/fs/cgroup/cpuset/cpuset.cpus', '/sys/devices/system/cpu/online']);
  const cpusetMems = firstReadable(['/sys/fs/cgroup/cpuset.mems.effective', '/sys/fs/cgroup/cpuset/cpuset.mems', '/sys/devices/system/node/online']);
  return { cpus: availableParallelism(), ...(cpusetCpus ? { cpusetCpus } : {}), ...(cpusetMems ? { cpusetMems } : {}) };
}
