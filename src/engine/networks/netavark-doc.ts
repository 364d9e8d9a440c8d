import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_AARDVARK, DEFAULT_NETAVARK, type NetavarkOptions } from '../../impl/network/netavark.js';
import type { NetavarkNetwork, NetavarkPortMapping } from '../../impl/network/types.js';
import { rootlessNetnsPaths } from '../../impl/network/rootless-netns.js';
import { rootlessUid } from '../../sys/linux/rootless-uid.js';
import type { EngineContext } from '../context.js';
import { intToIp, parseCidr } from './ip.js';
import type { NetworkRecord, PortRequest } from './types.js';

/** netavark's --config: per run root unless configured, so separate roots never share aardvark-dns. */
export function netavarkOptions(ctx: EngineContext): NetavarkOptions {
  const configDir = ctx.config.network.networkConfigDir || join(ctx.runroot, 'networks');
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  // A rootless user's bridges, rules and aardvark-dns live in their rootless netns.
  const rootless = rootlessUid() !== undefined ? { netns: rootlessNetnsPaths(ctx.runroot).netns, lockFile: join(rootlessNetnsPaths(ctx.runroot).dir, 'netavark.lock') } : undefined;
  return { binary: DEFAULT_NETAVARK, aardvarkBinary: DEFAULT_AARDVARK, configDir, ...(rootless ? { rootless } : {}) };
}

/**
 * The name and id netavark knows the network by: derived from the root and our id, so they are
 * unique host-wide even for rows of roots made before ids were random (the default network's
 * was the hash of its name). netavark 1.4 names the network's iptables chains from the name's
 * hash and aardvark-dns's files from the name; the name skiff shows is never given to it.
 */
export function netavarkIdentity(ctx: EngineContext, n: NetworkRecord): { name: string; id: string } {
  const id = createHash('sha256').update(`${resolve(ctx.root)}\0${n.id}`).digest('hex');
  return { name: `skiff-${id.slice(0, 16)}`, id };
}

export function toNetavark(ctx: EngineContext, n: NetworkRecord): NetavarkNetwork {
  let leaseRange: { start_ip: string; end_ip: string } | undefined;
  if (n.ipRange) {
    const r = parseCidr(n.ipRange);
    leaseRange = { start_ip: intToIp(r.base), end_ip: intToIp(r.base + r.size - 1) };
  }
  const options: Record<string, string> = {};
  // `isolate` is skiff's own (see impl/network/netavark.ts): netavark 1.4's does not hold.
  for (const k of ['mtu', 'vlan']) if (n.options[k] !== undefined) options[k] = n.options[k]!;
  if (n.options.isolate === 'false') options.isolate = 'false';
  return {
    ...netavarkIdentity(ctx, n),
    driver: 'bridge',
    network_interface: n.iface,
    created: n.created,
    subnets: [
      { subnet: n.subnet, gateway: n.gateway, ...(leaseRange ? { lease_range: leaseRange } : {}) },
      // Dual-stack: netavark puts both gateways on the bridge and both addresses in the container.
      ...(n.ipv6 && n.subnet6 && n.gateway6 ? [{ subnet: n.subnet6, gateway: n.gateway6 }] : []),
    ],
    ipv6_enabled: n.ipv6 && !!n.subnet6,
    internal: n.internal,
    dns_enabled: n.dnsEnabled,
    ...(Object.keys(n.labels).length ? { labels: n.labels } : {}),
    ...(Object.keys(options).length ? { options } : {}),
    ipam_options: { driver: 'host-local' },
  };
}

export function toNetavarkPorts(ports: PortRequest[]): NetavarkPortMapping[] {
  return ports.map((p) => ({ host_ip: p.hostIp, container_port: p.containerPort, host_port: p.hostPort, range: p.range, protocol: p.protocol }));
}
