/**
 * The one reading of docker build's RUN-container settings: the CLI's flags (`--memory 64m`,
 * `--ulimit nofile=100:200`) and the API's query (`memory=67108864`, `ulimits` already turned
 * into the same strings) both come here, so both fronts build the same BuildOptions.run and
 * refuse the same values in the same words (the container create rules).
 */
import { invalidArgument } from '../../core/errdefs.js';
import { parseAddHost } from '../../core/runtime/etc-files.js';
import { checkResources } from '../../core/runtime/resource-rules.js';
import { parseUlimit } from '../../core/runtime/rlimits.js';
import { parseBytes } from '../../core/runtime/units.js';
import { readHostCpuFacts } from '../containers/host-cpus.js';
import type { BuildResources, BuildRunSettings } from './types.js';

type Size = string | number | undefined;

export interface BuildRunInput {
  addHosts?: string[];
  ulimits?: string[];
  /** Sizes: a byte count or Docker's size string (`64m`); 0 or empty is unset. */
  shmSize?: Size;
  memory?: Size;
  /** -1: unlimited swap. */
  memorySwap?: Size;
  cpuShares?: Size;
  cpuQuota?: Size;
  cpuPeriod?: Size;
  cpusetCpus?: string;
  cpusetMems?: string;
}

function bytes(v: Size, what: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'string' && v.trim() === '-1' ? -1 : parseBytes(v);
  if (!Number.isSafeInteger(n)) throw invalidArgument(`invalid ${what}: ${String(v)}`);
  return n === 0 ? undefined : n;
}

function count(v: Size, what: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw invalidArgument(`invalid ${what}: ${String(v)}`);
  return n === 0 ? undefined : n;
}

export function normalizeBuildRun(input: BuildRunInput): BuildRunSettings | undefined {
  const resources: BuildResources = {};
  const set = <K extends keyof BuildResources>(k: K, v: BuildResources[K] | undefined) => {
    if (v !== undefined) resources[k] = v;
  };
  set('memory', bytes(input.memory, 'memory limit'));
  set('memorySwap', bytes(input.memorySwap, 'memory swap limit'));
  set('cpuShares', count(input.cpuShares, 'CPU shares'));
  set('cpuQuota', count(input.cpuQuota, 'CPU quota'));
  set('cpuPeriod', count(input.cpuPeriod, 'CPU period'));
  set('cpusetCpus', input.cpusetCpus?.trim() || undefined);
  set('cpusetMems', input.cpusetMems?.trim() || undefined);
  checkResources(resources, readHostCpuFacts());
  const shmSize = bytes(input.shmSize, 'shm size');
  if (shmSize !== undefined && shmSize < 0) throw invalidArgument('SHM size can not be less than 0');
  const addHosts = (input.addHosts ?? []).filter(Boolean);
  for (const h of addHosts) parseAddHost(h);
  const ulimits = (input.ulimits ?? []).filter(Boolean);
  for (const u of ulimits) parseUlimit(u);
  const out: BuildRunSettings = {
    ...(addHosts.length ? { addHosts } : {}),
    ...(ulimits.length ? { ulimits } : {}),
    ...(shmSize !== undefined ? { shmSize } : {}),
    ...(Object.keys(resources).length ? { resources } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}
