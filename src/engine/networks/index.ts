/**
 * @module engine/networks
 * Bridge networks driven by netavark: create/ls/inspect/rm/prune, connect/disconnect, and the
 * container hooks in container-net.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { conflict, failedPrecondition, invalidArgument, notFound } from '../../core/errdefs.js';
import { writeTx } from '../../impl/metadata/db.js';
import { removeIsolation } from '../../impl/network/netavark.js';
import type { EngineContext } from '../context.js';
import type { ContainerContext } from '../containers/context.js';
import { isActive } from '../containers/state.js';
import { withContainer } from '../containers/locked.js';
import { crashPoint } from '../../sys/crash-point.js';
import type { ContainerRecord } from '../containers/types.js';
import { connectRunning, connectUnfinished, disconnectRunning, finishConnect } from './container-net.js';
import { deleteNetworkRow, ensureDefaultNetwork, findNetwork, getNetwork, insertNetwork, leasesOf, listNetworks, releaseNetworkClaims } from './store.js';
import type { ContainerNetworkRequest, NetworkCreateOptions, NetworkInspect, NetworkRecord } from './types.js';
import { pruneFilter } from '../prune-filter.js';

// Made on first call: reading execFile at load time would load child_process for every verb.
const exec = (file: string, args: readonly string[]) => promisify(execFile)(file, args);

/** How many interfaces are enslaved to the bridge (0 when it does not exist). */
function bridgePorts(iface: string): number {
  try {
    return readdirSync(`/sys/class/net/${iface}/brif`).length;
  } catch {
    return 0;
  }
}

export class NetworkEngine {
  constructor(
    readonly ctx: EngineContext,
    private readonly containers: () => ContainerContext,
  ) {}

  create(opts: NetworkCreateOptions): NetworkInspect {
    const net = insertNetwork(this.ctx, opts);
    this.event('create', net);
    return this.doc(net);
  }

  /** dockerd's LogNetworkEvent: the network's ID, its name and driver. */
  private event(action: string, net: NetworkRecord): void {
    this.ctx.events.emit({ Type: 'network', Action: action, Actor: { ID: net.id, Attributes: { name: net.name, type: net.driver } } });
  }

  list(filters?: Map<string, string[]>): NetworkInspect[] {
    ensureDefaultNetwork(this.ctx);
    let nets = listNetworks(this.ctx);
    for (const v of filters?.get('name') ?? []) nets = nets.filter((n) => n.name.includes(v));
    for (const v of filters?.get('id') ?? []) nets = nets.filter((n) => n.id.startsWith(v));
    for (const v of filters?.get('driver') ?? []) nets = nets.filter((n) => n.driver === v);
    for (const v of filters?.get('label') ?? []) {
      const [k, val] = v.split('=', 2) as [string, string | undefined];
      nets = nets.filter((n) => k in n.labels && (val === undefined || n.labels[k] === val));
    }
    return nets.map((n) => this.doc(n));
  }

  inspect(ref: string): NetworkInspect {
    return this.doc(getNetwork(this.ctx, ref));
  }

  /** Containers whose config names the network. */
  private users(net: NetworkRecord): ContainerRecord[] {
    return this.containers().records.list().filter((c) => c.config.networks?.[net.name]);
  }

  /** Refuses while containers use it (Docker: "has active endpoints"), unless forced (then they are removed). */
  async remove(ref: string, opts: { force?: boolean } = {}): Promise<string> {
    const net = getNetwork(this.ctx, ref);
    if (net.name === this.ctx.config.network.defaultNetwork) throw failedPrecondition(`${net.name} is the default network and cannot be removed`);
    const users = this.users(net);
    if (users.length && !opts.force) {
      throw conflict(`network ${net.name} has associated containers: ${users.map((c) => c.name).join(', ')}`);
    }
    if (users.length) {
      const { removeContainer } = await import('../containers/lifecycle.js');
      for (const c of users) await removeContainer(this.containers(), c.id, { force: true });
    }
    writeTx(this.ctx.db, () => {
      if (leasesOf(this.ctx, { network: net.id }).length) throw conflict(`network ${net.name} is in use`);
      // A create or connect naming it since the check above is seen here (they check in their own write).
      const late = this.users(net);
      if (late.length) throw conflict(`network ${net.name} has associated containers: ${late.map((c) => c.name).join(', ')}`);
      deleteNetworkRow(this.ctx, net.id);
    });
    releaseNetworkClaims(this.ctx, net);
    this.event('destroy', net);
    // netavark removes the bridge with its last container; one left by a crash goes here. One
    // with ports is not ours: a root made before host claims, or one with a bridge named in its config.
    if (bridgePorts(net.iface) > 0) return net.name;
    if (existsSync(`/sys/class/net/${net.iface}`)) await exec('ip', ['link', 'delete', net.iface]).catch(() => undefined);
    await removeIsolation(net.iface);
    return net.name;
  }

  /** Every user network no container uses that matches the filters (`until`, `label`, `label!`). */
  async prune(filters?: ReadonlyMap<string, string[]>): Promise<string[]> {
    const f = pruneFilter('networks', filters);
    const out: string[] = [];
    for (const n of listNetworks(this.ctx)) {
      if (n.name === this.ctx.config.network.defaultNetwork || this.users(n).length) continue;
      if (f.until !== undefined && Date.parse(n.created) > f.until) continue;
      if (!f.labels(n.labels)) continue;
      try {
        out.push(await this.remove(n.id));
      } catch {
        // a container started using it meanwhile
      }
    }
    return out;
  }

  async connect(network: string, ref: string, want: ContainerNetworkRequest = {}): Promise<void> {
    const cc = this.containers();
    const net = getNetwork(this.ctx, network);
    return withContainer(cc, ref, (c) => this.connectLocked(c, net, want));
  }

  private async connectLocked(c: ContainerRecord, net: NetworkRecord, want: ContainerNetworkRequest): Promise<void> {
    const cc = this.containers();
    if (!c.config.networks) throw invalidArgument(`container ${c.name} is not on a bridge network (${c.config.networkMode})`);
    if (c.config.networks[net.name]) {
      // A connect killed midway left the network recorded but not (fully) attached: this one finishes it.
      if (isActive(c.state.status) && connectUnfinished(c, net.name)) return finishConnect(cc, c, net.name);
      throw conflict(`container ${c.name} is already connected to network ${net.name}`);
    }
    this.updateNetworks(c.id, (n) => ({ ...n, [net.name]: want }), net.name === this.ctx.config.network.defaultNetwork ? undefined : net.name);
    crashPoint('connect:recorded');
    if (!isActive(c.state.status)) return;
    try {
      await connectRunning(cc, c, net.name, want);
    } catch (e) {
      this.updateNetworks(c.id, ({ [net.name]: _drop, ...rest }) => rest);
      throw e;
    }
  }

  async disconnect(network: string, ref: string): Promise<void> {
    const cc = this.containers();
    const net = getNetwork(this.ctx, network);
    return withContainer(cc, ref, async (c) => {
      if (!c.config.networks?.[net.name]) throw notFound(`container ${c.name} is not connected to network ${net.name}`);
      this.updateNetworks(c.id, ({ [net.name]: _drop, ...rest }) => rest);
      if (isActive(c.state.status)) await disconnectRunning(cc, c, net.name);
    });
  }

  private updateNetworks(id: string, fn: (n: Record<string, ContainerNetworkRequest>) => Record<string, ContainerNetworkRequest>, adding?: string): void {
    writeTx(this.ctx.db, () => {
      const row = this.containers().records.get(id);
      if (!row) throw notFound(`no such container: ${id}`);
      // In the same write as a `network rm`'s last check: the network cannot go in between.
      if (adding && !findNetwork(this.ctx, adding)) throw notFound(`network ${adding} not found`);
      const config = { ...row.config, networks: fn(row.config.networks ?? {}) };
      this.ctx.db.prepare('UPDATE containers SET config = ? WHERE id = ?').run(JSON.stringify(config), id);
    });
  }

  private doc(n: NetworkRecord): NetworkInspect {
    const containers: NetworkInspect['Containers'] = {};
    for (const l of leasesOf(this.ctx, { network: n.id })) {
      const c = this.containers().records.get(l.container);
      containers[l.container] = {
        Name: c?.name ?? '',
        EndpointID: '',
        MacAddress: l.mac,
        IPv4Address: `${l.ip}/${n.subnet.split('/')[1]}`,
        IPv6Address: l.ip6 && n.subnet6 ? `${l.ip6}/${n.subnet6.split('/')[1]}` : '',
      };
    }
    return {
      Name: n.name,
      Id: n.id,
      Created: n.created,
      Scope: 'local',
      Driver: n.driver,
      EnableIPv6: n.ipv6,
      IPAM: {
        Driver: 'default',
        Options: {},
        Config: [
          { Subnet: n.subnet, Gateway: n.gateway, ...(n.ipRange ? { IPRange: n.ipRange } : {}) },
          ...(n.subnet6 ? [{ Subnet: n.subnet6, ...(n.gateway6 ? { Gateway: n.gateway6 } : {}) }] : []),
        ],
      },
      Internal: n.internal,
      Attachable: false,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Containers: containers,
      Options: n.options,
      Labels: n.labels,
      NetworkInterface: n.iface,
      DNSEnabled: n.dnsEnabled,
    };
  }
}

export type * from './types.js';
