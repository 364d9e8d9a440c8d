/**
 * @module lib/networks
 * `engine.networks`: bridge networks set up by netavark.
 */
import type { NetworkEngine } from '../engine/networks/index.js';
import type { NetworkCreateOptions, NetworkInspect } from '../engine/networks/types.js';
import { filterMap, type Filters } from './common.js';

export type { NetworkCreateOptions, NetworkInspect };

export interface NetworkConnectOptions {
  /** A fixed IPv4 address in the network's subnet. */
  ip?: string;
  aliases?: string[];
}

export interface Networks {
  create(opts: NetworkCreateOptions): Promise<NetworkInspect>;
  inspect(ref: string): Promise<NetworkInspect>;
  /** `name`, `id`, `driver`, `label`. */
  list(filters?: Filters): Promise<NetworkInspect[]>;
  /** `force`: disconnect its containers first. Resolves with the network's id. */
  remove(ref: string, opts?: { force?: boolean }): Promise<string>;
  /** Networks no container uses; resolves with their names. */
  prune(filters?: Filters): Promise<string[]>;
  connect(network: string, container: string, opts?: NetworkConnectOptions): Promise<void>;
  disconnect(network: string, container: string): Promise<void>;
}

export function networksOf(networks: () => NetworkEngine): Networks {
  return {
    create: async (o) => networks().create(o),
    inspect: async (ref) => networks().inspect(ref),
    list: async (f) => networks().list(filterMap(f)),
    remove: (ref, o) => networks().remove(ref, o),
    prune: (f) => networks().prune(filterMap(f)),
    connect: (network, container, o = {}) =>
      networks().connect(network, container, { ...(o.ip ? { ip: o.ip } : {}), ...(o.aliases ? { aliases: o.aliases } : {}) }),
    disconnect: (network, container) => networks().disconnect(network, container),
  };
}
