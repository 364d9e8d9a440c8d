import type { NetavarkRequest } from '../../impl/network/types.js';

/** A network as skiff stores it; `toNetavark` gives netavark's view of it. */
export interface NetworkRecord {
  id: string;
  name: string;
  driver: 'bridge';
  /** The host's bridge interface (skiff0, skiff1, ...). */
  iface: string;
  subnet: string;
  gateway: string;
  ipRange?: string;
  /** Containers get a v6 address too (Docker's EnableIPv6). */
  ipv6: boolean;
  subnet6?: string;
  gateway6?: string;
  internal: boolean;
  dnsEnabled: boolean;
  labels: Record<string, string>;
  /** mtu, vlan, isolate: passed to netavark as bridge options. */
  options: Record<string, string>;
  created: string;
}

export interface NetworkCreateOptions {
  name?: string;
  driver?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  /** The bridge's name on the host; otherwise the first free skiffN. */
  interfaceName?: string;
  /** Name resolution through aardvark-dns; on by default for user networks, as in Podman. */
  dns?: boolean;
  ipv6?: boolean;
  /** The v6 subnet (`--subnet fd00::/64` beside or instead of a v4 one) and its gateway. */
  subnet6?: string;
  gateway6?: string;
}

/** Docker's network inspect document. */
export interface NetworkInspect {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: string;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string>; Config: { Subnet: string; Gateway?: string; IPRange?: string }[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  /** Podman's extra fields. */
  NetworkInterface: string;
  DNSEnabled: boolean;
}

/** One network of a container's request: `--network NAME`, `--ip`, `--network-alias`, `--mac-address`. */
export interface ContainerNetworkRequest {
  aliases?: string[];
  ip?: string;
  /** `--ip6`: the v6 address on a network with IPv6. */
  ip6?: string;
  mac?: string;
  /** `--link-local-ip`: 169.254.0.0/16 or fe80::/10 addresses added to the interface. */
  linkLocalIps?: string[];
}

/** `-p`: host_port 0 = pick a free port at start. */
export interface PortRequest {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  range: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

/** What a running container's networking is, kept in its state row (for inspect and teardown). */
export interface ContainerNetState {
  netns: string;
  /** The user namespace that owns the netns, for a container with its own (it joins both). */
  userns?: string;
  /** Resolved host ports. */
  ports: PortRequest[];
  attachments: NetworkAttachment[];
  /** A rootless user's published ports on their networks: the rootless netns's slirp4netns listener ids. */
  rootlessForwards?: number[];
  /** slirp4netns's network (no bridge, no attachment): its process, stopped at teardown. */
  userMode?: UserModeNet;
}

export interface UserModeNet {
  driver: 'slirp4netns';
  /** 0 until the process runs: recorded before, so a start killed midway is found. */
  pid: number;
  apiSocket: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  dnsServers: string[];
}

export interface NetworkAttachment {
  network: string;
  networkId: string;
  iface: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  /** On a network with IPv6. */
  ip6?: string;
  prefixLen6?: number;
  gateway6?: string;
  mac: string;
  aliases: string[];
  dnsServers: string[];
  dnsSearch: string[];
  /** The request netavark set this attachment up with; teardown sends it back unchanged. */
  request: NetavarkRequest;
  /** Recorded before netavark ran and not completed since: what is on the host is unknown. */
  pending?: true;
}
