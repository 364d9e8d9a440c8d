/**
 * @module resource-rules
 * dockerd's refusals of resource settings (daemon/daemon_unix.go,
 * verifyPlatformContainerResources), with its wording, so a client that matches on the text
 * sees what it would from Docker. Zero means "not set" throughout, as in Docker's Go zero values.
 * Besides Docker's rules: every count is an integer within JavaScript's exact range, and no
 * value is negative unless it has a meaning (-1: unlimited swap or CFS quota).
 */
import { invalidArgument } from '../errdefs.js';
import type { ResourceOptions } from './create-options.js';

/** dockerd's linuxMinMemory: room for the runtime's own start-up. */
export const MIN_MEMORY = 6 * 1024 * 1024;
/** The kernel's upper bound for cpu.shares (v1; it raises 1 to 2 itself); runc maps shares onto cpu.weight for v2. */
const MAX_CPU_SHARES = 262144;

/** What the host offers, for the checks that depend on it. */
export interface HostCpuFacts {
  /** CPUs this process may run on (sched_getaffinity). */
  cpus: number;
  /** Allowed CPU and memory node lists (`0-3,6`), when readable. */
  cpusetCpus?: string;
  cpusetMems?: string;
}

const INTEGER_FIELDS: [keyof ResourceOptions, string][] = [
  ['memory', 'memory limit'],
  ['memorySwap', 'memory swap limit'],
  ['memoryReservation', 'memory reservation'],
  ['memorySwappiness', 'memory swappiness'],
  ['cpuShares', 'CPU shares'],
  ['cpuPeriod', 'CPU period'],
  ['cpuQuota', 'CPU quota'],
  ['pidsLimit', 'pids limit'],
  ['blkioWeight', 'blkio weight'],
];

function integers(r: ResourceOptions): void {
  for (const [key, what] of INTEGER_FIELDS) {
    const v = r[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalidArgument(`invalid ${what} ${String(v)}: want an integer`);
  }
  if (r.cpus !== undefined && !Number.isFinite(r.cpus)) throw invalidArgument(`invalid number of CPUs ${String(r.cpus)}`);
}

/** The rules that need nothing from the host: at create, and again when a spec is made. */
export function checkResourceValues(r: ResourceOptions): void {
  integers(r);
  const memory = r.memory ?? 0;
  const swap = r.memorySwap ?? 0;
  const reservation = r.memoryReservation ?? 0;
  if (memory !== 0 && memory < MIN_MEMORY) throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (swap < -1) throw invalidArgument(`invalid memory swap limit ${swap}: use -1 for unlimited swap`);
  if (memory > 0 && swap > 0 && swap < memory) throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (memory === 0 && swap > 0) throw invalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  const swappiness = r.memorySwappiness;
  if (swappiness !== undefined && swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw invalidArgument(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  if (reservation !== 0 && reservation < MIN_MEMORY) throw invalidArgument('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > 0 && memory < reservation) {
    throw invalidArgument('Minimum memory limit can not be less than memory reservation limit, see usage');
  }

  const cpus = r.cpus ?? 0;
  const period = r.cpuPeriod ?? 0;
  const quota = r.cpuQuota ?? 0;
  if (cpus > 0 && period > 0) throw invalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (cpus > 0 && quota > 0) throw invalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  const shares = r.cpuShares ?? 0;
  if (shares < 0 || shares > MAX_CPU_SHARES) throw invalidArgument(`invalid CPU shares ${shares}: the range is 0 (the default) to ${MAX_CPU_SHARES}`);
  if (period !== 0 && (period < 1000 || period > 1000000)) {
    throw invalidArgument('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (quota !== 0 && quota !== -1 && quota < 1000) throw invalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (r.cpusetCpus) cpuList(r.cpusetCpus, 'cpus');
  if (r.cpusetMems) cpuList(r.cpusetMems, 'mems');

  const weight = r.blkioWeight ?? 0;
  if (weight !== 0 && (weight < 10 || weight > 1000)) throw invalidArgument('Range of blkio weight is from 10 to 1000');
}

/** Everything, including what the host offers: at create. */
export function checkResources(r: ResourceOptions, host: HostCpuFacts): void {
  checkResourceValues(r);
  const cpus = r.cpus ?? 0;
  if (cpus < 0 || cpus > host.cpus) {
    throw invalidArgument(`Range of CPUs is from 0.01 to ${host.cpus}.00, as there are only ${host.cpus} CPUs available`);
  }
  if (r.cpusetCpus && host.cpusetCpus !== undefined && !subset(cpuList(r.cpusetCpus, 'cpus'), cpuList(host.cpusetCpus, 'cpus'))) {
    throw invalidArgument(`Requested CPUs are not available - requested ${r.cpusetCpus}, available: ${host.cpusetCpus}`);
  }
  if (r.cpusetMems && host.cpusetMems !== undefined && !subset(cpuList(r.cpusetMems, 'mems'), cpuList(host.cpusetMems, 'mems'))) {
    throw invalidArgument(`Requested memory nodes are not available - requested ${r.cpusetMems}, available: ${host.cpusetMems}`);
  }
}

/** moby's parsers.ParseUintList: `0-3,6`, each range ascending. */
export function cpuList(s: string, what: 'cpus' | 'mems'): Set<number> {
  const bad = () => invalidArgument(`Invalid value ${s} for cpuset ${what}: invalid format: ${s}`);
  const out = new Set<number>();
  for (const part of s.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw bad();
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    // moby caps a list at 10000 entries; a range beyond that is no host's.
    if (to < from || to > 10000) throw bad();
    for (let i = from; i <= to; i++) out.add(i);
  }
  return out;
}

function subset(want: Set<number>, have: Set<number>): boolean {
  for (const x of want) if (!have.has(x)) return false;
  return true;
}
