import type { ContainerContext } from './context.js';
import { readCgroup, readNetwork } from './cgroup-stats.js';
import { resolveContainer } from './resolve.js';
import { isActive } from './state.js';
import { refreshContainer } from './sync.js';
import type { ContainerRecord } from './types.js';

/** One sample of a container's usage; CPU is cumulative, so a rate needs two samples. */
export interface ContainerStats {
  id: string;
  name: string;
  running: boolean;
  /** process.hrtime in nanoseconds when read. */
  readAt: number;
  cpuNs: number;
  memUsage: number;
  memLimit: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
  pids: number;
}

function sample(c: ContainerRecord): ContainerStats {
  const base = { id: c.id, name: c.name, readAt: Number(process.hrtime.bigint()) };
  if (!isActive(c.state.status) || c.state.pid <= 0) {
    return { ...base, running: false, cpuNs: 0, memUsage: 0, memLimit: 0, netRx: 0, netTx: 0, blkRead: 0, blkWrite: 0, pids: 0 };
  }
  const cg = readCgroup(c.state.pid);
  const net = readNetwork(c.state.pid);
  return { ...base, running: true, ...cg, netRx: net.rx, netTx: net.tx };
}

/** `stats`: one sample per named container, or of every running one (`all`: every one) when none is named. */
export async function statsContainer(cc: ContainerContext, refs: string[] = [], opts: { all?: boolean } = {}): Promise<ContainerStats[]> {
  const rows = refs.length ? refs.map((r) => resolveContainer(cc, r)) : cc.records.list();
  const out: ContainerStats[] = [];
  for (const row of rows) {
    const c = await refreshContainer(cc, row);
    if (!refs.length && !opts.all && !isActive(c.state.status)) continue;
    out.push(sample(c));
  }
  return out;
}
