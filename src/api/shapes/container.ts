/** Docker's JSON for container list items, stats samples and cp's path stat. */
import type { ContainerPathStat, ContainerSummary } from '../../engine/containers/index.js';
import type { ContainerStats } from '../../engine/containers/stats.js';

/** A /containers/json item: the engine's summary less what Docker does not send. */
export function summaryDoc(s: ContainerSummary): Omit<ContainerSummary, 'ExitCode'> {
  const { ExitCode: _exit, ...doc } = s;
  return doc;
}

function cpuStats(s: ContainerStats | undefined, cpus: number) {
  return {
    cpu_usage: { total_usage: s?.cpuNs ?? 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    // Wall time across all CPUs: the docker CLI's CPU % is cpu delta / system delta × CPUs.
    system_cpu_usage: s ? Math.round(s.readAt * cpus) : 0,
    online_cpus: cpus,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

/** One /containers/{id}/stats sample; `prev` fills precpu_stats for a rate. */
export function statsDoc(now: ContainerStats, prev: ContainerStats | undefined, cpus: number) {
  return {
    read: new Date().toISOString(),
    preread: prev ? new Date(Date.now() - (now.readAt - prev.readAt) / 1e6).toISOString() : '0001-01-01T00:00:00Z',
    pids_stats: { current: now.pids },
    blkio_stats: {
      io_service_bytes_recursive: [
        { major: 0, minor: 0, op: 'read', value: now.blkRead },
        { major: 0, minor: 0, op: 'write', value: now.blkWrite },
      ],
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(now, cpus),
    precpu_stats: cpuStats(prev, cpus),
    memory_stats: now.running ? { usage: now.memUsage, limit: now.memLimit, stats: {} } : {},
    name: `/${now.name}`,
    id: now.id,
    networks: now.running
      ? { eth0: { rx_bytes: now.netRx, rx_packets: 0, rx_errors: 0, rx_dropped: 0, tx_bytes: now.netTx, tx_packets: 0, tx_errors: 0, tx_dropped: 0 } }
      : {},
  };
}

// Go's os.FileMode bits, which the docker CLI reads (IsDir) from the path stat.
const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const GO_DEVICE = 2 ** 26;
const GO_PIPE = 2 ** 25;
const GO_SOCKET = 2 ** 24;
const GO_SETUID = 2 ** 23;
const GO_SETGID = 2 ** 22;
const GO_CHARDEV = 2 ** 21;
const GO_STICKY = 2 ** 20;

export function goFileMode(mode: number): number {
  let m = mode & 0o777;
  if (mode & 0o4000) m += GO_SETUID;
  if (mode & 0o2000) m += GO_SETGID;
  if (mode & 0o1000) m += GO_STICKY;
  switch (mode & 0o170000) {
    case 0o040000:
      return m + GO_DIR;
    case 0o120000:
      return m + GO_SYMLINK;
    case 0o010000:
      return m + GO_PIPE;
    case 0o140000:
      return m + GO_SOCKET;
    case 0o020000:
      return m + GO_DEVICE + GO_CHARDEV;
    case 0o060000:
      return m + GO_DEVICE;
    default:
      return m;
  }
}

/** The `X-Docker-Container-Path-Stat` header: base64 of Docker's PathStat JSON. */
export function pathStatHeader(s: ContainerPathStat): string {
  const doc = { name: s.name, size: s.size, mode: goFileMode(s.mode), mtime: s.mtime.toISOString(), linkTarget: s.linkTarget };
  return Buffer.from(JSON.stringify(doc)).toString('base64');
}
