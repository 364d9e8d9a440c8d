/**
 * @module impl/network/types
 * netavark's stdin and stdout documents (netavark 1.4, as Podman 4 sends them).
 */

export interface NetavarkPortMapping {
  /** "" = every host address. */
  host_ip: string;
  container_port: number;
  host_port: number;
  /** Maps host_port..+range-1 to container_port..+range-1. */
  range: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

export interface NetavarkSubnet {
  subnet: string;
  gateway?: string;
  lease_range?: { start_ip?: string; end_ip?: string };
}

/** The same object as Podman's /etc/containers/networks/<name>.json. */
export interface NetavarkNetwork {
  name: string;
  id: string;
  driver: string;
  network_interface: string;
  created: string;
  subnets: NetavarkSubnet[];
  ipv6_enabled: boolean;
  internal: boolean;
  dns_enabled: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  ipam_options: { driver: string };
}

export interface NetavarkPerNetwork {
  static_ips: string[];
  static_mac?: string;
  aliases: string[];
  interface_name: string;
}

export interface NetavarkRequest {
  container_id: string;
  container_name: string;
  port_mappings?: NetavarkPortMapping[];
  networks: Record<string, NetavarkPerNetwork>;
  network_info: Record<string, NetavarkNetwork>;
  dns_servers?: string[];
}

export interface NetavarkInterfaceStatus {
  mac_address: string;
  subnets?: { ipnet: string; gateway?: string }[];
}

/** setup's answer: network name → what was configured. */
export type NetavarkStatus = Record<
  string,
  { dns_search_domains?: string[]; dns_server_ips?: string[]; interfaces?: Record<string, NetavarkInterfaceStatus> }
>;
