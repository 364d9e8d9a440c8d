/**
 * @module engine/networks/store
 * Network rows and address leases in the state database. Leases are taken inside a write
 * transaction, so concurrent `run`s on one network never get the same address.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { alreadyExists, conflict, invalidArgument, isEngineError, notFound, unavailable } from '../../core/errdefs.js';
import { writeTx } from '../../impl/metadata/db.js';
import { NetworkClaims, type ClaimKind, type ClaimOwner } from '../../impl/network/claims.js';
import type { EngineContext } from '../context.js';
import { bigToIp6, cidr6String, contains6, ip6ToBig, overlaps6, parseCidr6 } from './ip6.js';
import { cidrString, contains, hostRange, intToIp, ipToInt, overlaps, parseCidr, type Cidr } from './ip.js';
import type { NetworkCreateOptions, NetworkRecord } from './types.js';

interface Row {
  id: string;
  name: string;
  driver: string;
  interface: string;
  subnet: string;
  gateway: string;
  ip_range: string | null;
  enable_ipv6: number;
  subnet6: string | null;
  gateway6: string | null;
  internal: number;
  dns_enabled: number;
  labels: string;
  options: string;
  created: string;
}

function decode(r: Row): NetworkRecord {
  return {
    id: r.id,
    name: r.name,
    driver: 'bridge',
    iface: r.interface,
    subnet: r.subnet,
    gateway: r.gateway,
    ...(r.ip_range ? { ipRange: r.ip_range } : {}),
    ipv6: !!r.enable_ipv6,
    ...(r.subnet6 ? { subnet6: r.subnet6 } : {}),
    ...(r.gateway6 ? { gateway6: r.gateway6 } : {}),
    internal: !!r.internal,
    dnsEnabled: !!r.dns_enabled,
    labels: JSON.parse(r.labels) as Record<string, string>,
    options: JSON.parse(r.options) as Record<string, string>,
    created: r.created,
  };
}

/**
 * dockerd's rule (20.10 takes `a b`, `a/b`, `../x`, `_x`, a tab): any non-empty name. A network's
 * name never reaches a path, an interface, a firewall chain or netavark/aardvark-dns (they get a
 * name derived from the root and the id, netavarkIdentity; claims and bridges are by interface and
 * subnet), so nothing needs Podman's `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, which guards its config files'
 * names. A NUL is refused: no client can send it in a path or a flag.
 */
function checkNetworkName(name: string | undefined): asserts name is string {
  if (!name) throw invalidArgument('network name is required');
  if (name.includes('\0')) throw invalidArgument('invalid network name: it contains a NUL byte');
}

export function listNetworks(ctx: EngineContext): NetworkRecord[] {
  return (ctx.db.prepare('SELECT * FROM networks ORDER BY created').all() as Row[]).map(decode);
}

/** By name, full id or unique id prefix. */
export function findNetwork(ctx: EngineContext, ref: string): NetworkRecord | undefined {
  const byName = ctx.db.prepare('SELECT * FROM networks WHERE name = ?').get(ref) as Row | undefined;
  if (byName) return decode(byName);
  if (!/^[0-9a-f]+$/.test(ref)) return undefined;
  const rows = ctx.db.prepare("SELECT * FROM networks WHERE id LIKE ? || '%'").all(ref) as Row[];
  return rows.length === 1 ? decode(rows[0]!) : undefined;
}

export function getNetwork(ctx: EngineContext, ref: string): NetworkRecord {
  const n = findNetwork(ctx, ref) ?? (ref === ctx.config.network.defaultNetwork ? ensureDefaultNetwork(ctx) : undefined);
  if (!n) throw notFound(`network ${ref} not found`);
  return n;
}

/** This root's view of the host-wide claims on bridge names and subnets. */
export function networkClaims(ctx: EngineContext): NetworkClaims {
  return new NetworkClaims(ctx.config.network.hostClaimsDir, resolve(ctx.root), (id) => !!ctx.db.prepare('SELECT 1 FROM networks WHERE id = ?').get(id));
}

function claimError(what: string, owner: ClaimOwner): Error {
  return conflict(`${what} is already used by network ${owner.network.slice(0, 12)} of the skiff root ${owner.root}`);
}

/**
 * Claims the network's bridge and subnets (v4, and v6 if any) host-wide (networks made before claims existed get
 * theirs at their first container's start). Refuses what another root's live network holds.
 */
export function claimNetwork(ctx: EngineContext, net: Pick<NetworkRecord, 'id' | 'iface' | 'subnet' | 'subnet6'>): void {
  const claims = networkClaims(ctx);
  const owns6 = !net.subnet6 || claims.owns('subnet6', net.subnet6, net.id);
  if (claims.owns('iface', net.iface, net.id) && claims.owns('subnet', net.subnet, net.id) && owns6) return;
  const iface = claims.claim('iface', net.iface, net.id);
  if (iface) throw claimError(`bridge ${net.iface}`, iface);
  const subnet = parseCidr(net.subnet);
  const clash = claims.heldByOthers('subnet').find((c) => overlaps(parseCidr(c.value), subnet));
  if (clash) throw claimError(`subnet ${clash.value}`, clash.owner);
  const held = claims.claim('subnet', net.subnet, net.id);
  if (held) throw claimError(`subnet ${net.subnet}`, held);
  if (!net.subnet6) return;
  const subnet6 = parseCidr6(net.subnet6);
  const clash6 = claims.heldByOthers('subnet6').find((c) => overlaps6(parseCidr6(c.value), subnet6));
  if (clash6) throw claimError(`subnet ${clash6.value}`, clash6.owner);
  const held6 = claims.claim('subnet6', net.subnet6, net.id);
  if (held6) throw claimError(`subnet ${net.subnet6}`, held6);
}

/**
 * `claimNetwork` at a container's start. A default network with a bridge and subnet of its own
 * choosing (not from the config) that another root holds, which only a root made before claims
 * can have (they all used skiff0 and 10.89.0.0/24), moves to a free bridge and subnet while none
 * of our containers use it, rather than failing every start.
 */
export function claimForStart(ctx: EngineContext, net: NetworkRecord): NetworkRecord {
  try {
    claimNetwork(ctx, net);
    return net;
  } catch (e) {
    const cfg = ctx.config.network;
    if (!isEngineError(e, 'Conflict') || net.name !== cfg.defaultNetwork || cfg.defaultInterface || cfg.defaultSubnet) throw e;
    return writeTx(ctx.db, () => {
      if (leasesOf(ctx, { network: net.id }).length) throw e;
      const subnet = parseCidr(freeSubnet(ctx));
      const rec: NetworkRecord = { ...net, iface: freeInterface(ctx, 0), subnet: cidrString(subnet), gateway: intToIp(subnet.base + 1) };
      claimPicked(ctx, rec, { subnet: true, iface: true, ifaceFrom: 0 });
      ctx.db.prepare('UPDATE networks SET interface = ?, subnet = ?, gateway = ? WHERE id = ?').run(rec.iface, rec.subnet, rec.gateway, rec.id);
      return rec;
    });
  }
}

export function releaseNetworkClaims(ctx: EngineContext, net: NetworkRecord): void {
  const values: { kind: ClaimKind; value: string }[] = [{ kind: 'iface', value: net.iface }, { kind: 'subnet', value: net.subnet }];
  if (net.subnet6) values.push({ kind: 'subnet6', value: net.subnet6 });
  networkClaims(ctx).release(net.id, values);
}

/**
 * The default network exists once something asks for it (Podman keeps its default off disk).
 * Its id is random, as any network's: netavark's firewall chains and aardvark-dns's files are
 * named from the network, so two roots must never share it.
 */
export function ensureDefaultNetwork(ctx: EngineContext): NetworkRecord {
  const cfg = ctx.config.network;
  const found = findNetwork(ctx, cfg.defaultNetwork);
  if (found) return found;
  try {
    return insertNetwork(ctx, {
      name: cfg.defaultNetwork,
      ...(cfg.defaultSubnet ? { subnet: cfg.defaultSubnet } : {}),
      ...(cfg.defaultInterface ? { interfaceName: cfg.defaultInterface } : {}),
      dns: false,
    }, undefined, 0);
  } catch (e) {
    // Another process created it first.
    const again = findNetwork(ctx, cfg.defaultNetwork);
    if (again) return again;
    throw e;
  }
}

/** The lowest <prefix>N from `from` that no network of ours or of another root names and no host interface has. */
function freeInterface(ctx: EngineContext, from: number): string {
  const used = new Set([...listNetworks(ctx).map((n) => n.iface), ...networkClaims(ctx).heldByOthers('iface').map((c) => c.value)]);
  for (let i = from; ; i++) {
    const name = `${ctx.config.network.interfacePrefix}${i}`;
    if (!used.has(name) && !existsSync(`/sys/class/net/${name}`)) return name;
  }
}

/** /proc/net/route prints each address as the hex of its bytes read little-endian. */
const routeAddr = (hex: string) => Buffer.from(hex, 'hex').readUInt32LE(0);

/**
 * Subnets the host routes to (other roots' bridges, VPNs, the LAN), as Podman avoids the host's
 * own subnets when it picks one; the default route is left out.
 */
function hostRoutes(): Cidr[] {
  let text: string;
  try {
    text = readFileSync('/proc/net/route', 'utf8');
  } catch {
    return [];
  }
  const out: Cidr[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^[0-9A-Fa-f]{8}$/.test(f[1]!) || !/^[0-9A-Fa-f]{8}$/.test(f[7]!) || f[7] === '00000000') continue;
    const mask = routeAddr(f[7]!);
    const prefix = 32 - Math.log2(2 ** 32 - mask);
    if (Number.isInteger(prefix)) out.push(parseCidr(`${intToIp(routeAddr(f[1]!))}/${prefix}`));
  }
  return out;
}

/** The first subnet of the configured pools that overlaps no network of ours or of another root, and nothing the host routes to. */
function freeSubnet(ctx: EngineContext): string {
  const taken = [...listNetworks(ctx).map((n) => parseCidr(n.subnet)), ...hostRoutes()];
  taken.push(...networkClaims(ctx).heldByOthers('subnet').map((c) => parseCidr(c.value)));
  // Kept free for the default network while it does not exist yet.
  if (ctx.config.network.defaultSubnet) taken.push(parseCidr(ctx.config.network.defaultSubnet));
  const pools = ctx.config.network.defaultSubnetPools;
  for (const pool of pools) {
    const base = parseCidr(pool.base);
    if (pool.size < base.prefix) continue;
    const step = 2 ** (32 - pool.size);
    for (let at = base.base; at < base.base + base.size; at += step) {
      const c = parseCidr(`${intToIp(at)}/${pool.size}`);
      if (!taken.some((t) => overlaps(t, c))) return cidrString(c);
    }
  }
  throw unavailable(`no free subnet left in ${pools.map((p) => p.base).join(', ')}: give --subnet`);
}

/** `ifaceFrom`: where an automatic bridge name starts counting (the default network's takes N = 0). */
export function insertNetwork(ctx: EngineContext, o: NetworkCreateOptions, id = randomBytes(32).toString('hex'), ifaceFrom = 1): NetworkRecord {
  const name = o.name;
  checkNetworkName(name);
  if ((o.driver ?? 'bridge') !== 'bridge') throw invalidArgument(`unsupported network driver ${o.driver}: only bridge is supported`);
  if (o.interfaceName !== undefined && !/^[a-zA-Z0-9_.-]{1,15}$/.test(o.interfaceName)) {
    throw invalidArgument(`invalid interface name "${o.interfaceName}"`);
  }
  return writeTx(ctx.db, () => {
    if (findNetwork(ctx, name)?.name === name) throw alreadyExists(`network name ${name} already used: network already exists`);
    const subnet = parseCidr(o.subnet ?? freeSubnet(ctx));
    if (subnet.prefix > 30) throw invalidArgument(`subnet ${cidrString(subnet)} is too small`);
    for (const other of listNetworks(ctx)) {
      if (overlaps(parseCidr(other.subnet), subnet)) throw conflict(`subnet ${cidrString(subnet)} is already used by network ${other.name}`);
    }
    const gateway = o.gateway ?? intToIp(subnet.base + 1);
    if (!contains(subnet, ipToInt(gateway))) throw invalidArgument(`gateway ${gateway} is not in subnet ${cidrString(subnet)}`);
    let ipRange: string | undefined;
    if (o.ipRange) {
      const r = parseCidr(o.ipRange);
      if (!contains(subnet, r.base) || !contains(subnet, r.base + r.size - 1)) {
        throw invalidArgument(`ip-range ${o.ipRange} is not within subnet ${cidrString(subnet)}`);
      }
      ipRange = cidrString(r);
    }
    const v6 = ipv6Subnet(ctx, o);
    const mtu = o.options?.mtu;
    if (mtu !== undefined && !/^\d+$/.test(mtu)) throw invalidArgument(`invalid mtu "${mtu}"`);
    const iface = o.interfaceName ?? freeInterface(ctx, ifaceFrom);
    if (listNetworks(ctx).some((n) => n.iface === iface)) throw conflict(`interface ${iface} is already used by another network`);
    const rec: NetworkRecord = {
      id,
      name,
      driver: 'bridge',
      iface,
      subnet: cidrString(subnet),
      gateway,
      ...(ipRange ? { ipRange } : {}),
      ipv6: !!o.ipv6,
      ...v6,
      internal: !!o.internal,
      dnsEnabled: o.dns ?? true,
      labels: o.labels ?? {},
      // Docker's bridges cannot reach each other; netavark's need `isolate` for that.
      options: { isolate: 'true', ...o.options },
      created: new Date().toISOString(),
    };
    claimPicked(ctx, rec, { subnet: !o.subnet && !o.gateway, iface: !o.interfaceName, ifaceFrom });
    ctx.db
      .prepare(
        `INSERT INTO networks (id, name, driver, interface, subnet, gateway, ip_range, enable_ipv6, subnet6, gateway6, internal, dns_enabled, labels, options, created)
         VALUES (?, ?, 'bridge', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(rec.id, rec.name, rec.iface, rec.subnet, rec.gateway, rec.ipRange ?? null, rec.ipv6 ? 1 : 0, rec.subnet6 ?? null, rec.gateway6 ?? null,
        rec.internal ? 1 : 0, rec.dnsEnabled ? 1 : 0, JSON.stringify(rec.labels), JSON.stringify(rec.options), rec.created);
    return rec;
  });
}

/**
 * The v6 subnet and gateway of a new network. skiff has no default v6 pool, so `--ipv6` needs
 * a v6 subnet, as with dockerd 20.10 without `default-address-pools` (whose words these are).
 */
function ipv6Subnet(ctx: EngineContext, o: NetworkCreateOptions): { subnet6?: string; gateway6?: string } {
  if (!o.subnet6) {
    if (o.ipv6) throw invalidArgument('could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network');
    if (o.gateway6) throw invalidArgument(`gateway ${o.gateway6} needs an IPv6 subnet`);
    return {};
  }
  const subnet = parseCidr6(o.subnet6);
  if (subnet.prefix > 126) throw invalidArgument(`subnet ${cidr6String(subnet)} is too small`);
  for (const other of listNetworks(ctx)) {
    if (other.subnet6 && overlaps6(parseCidr6(other.subnet6), subnet)) throw conflict('Pool overlaps with other one on this address space');
  }
  // Checked here too, not only when claimed: a clash there makes an automatic v4 pick try again.
  const clash = networkClaims(ctx).heldByOthers('subnet6').find((c) => overlaps6(parseCidr6(c.value), subnet));
  if (clash) throw claimError(`subnet ${clash.value}`, clash.owner);
  const gateway = o.gateway6 ? ip6ToBig(o.gateway6) : subnet.base + 1n;
  if (!contains6(subnet, gateway)) throw invalidArgument(`gateway ${o.gateway6} is not in subnet ${cidr6String(subnet)}`);
  return { subnet6: cidr6String(subnet), gateway6: bigToIp6(gateway) };
}

/**
 * Claims `rec` host-wide. Another root may claim the same automatic pick between our choosing it
 * and claiming it (both saw it free): then the pick is made again, skipping what is claimed now.
 * A subnet or bridge the user named is never changed.
 */
function claimPicked(ctx: EngineContext, rec: NetworkRecord, auto: { subnet: boolean; iface: boolean; ifaceFrom: number }): void {
  for (let attempt = 1; ; attempt++) {
    try {
      return claimNetwork(ctx, rec);
    } catch (e) {
      if (!isEngineError(e, 'Conflict') || attempt >= 8 || !(auto.subnet || auto.iface)) throw e;
    }
    if (auto.subnet) {
      const subnet = parseCidr(freeSubnet(ctx));
      rec.subnet = cidrString(subnet);
      rec.gateway = intToIp(subnet.base + 1);
    }
    if (auto.iface) rec.iface = freeInterface(ctx, auto.ifaceFrom);
  }
}

export function deleteNetworkRow(ctx: EngineContext, id: string): void {
  ctx.db.prepare('DELETE FROM networks WHERE id = ?').run(id);
}

export interface Lease {
  network: string;
  container: string;
  ip: string;
  /** On a network with IPv6. */
  ip6: string | null;
  mac: string;
}

export function leasesOf(ctx: EngineContext, filter: { network?: string; container?: string }): Lease[] {
  if (filter.network && filter.container) {
    return ctx.db.prepare('SELECT * FROM network_leases WHERE network = ? AND container = ?').all(filter.network, filter.container) as Lease[];
  }
  if (filter.network) return ctx.db.prepare('SELECT * FROM network_leases WHERE network = ?').all(filter.network) as Lease[];
  return ctx.db.prepare('SELECT * FROM network_leases WHERE container = ?').all(filter.container ?? '') as Lease[];
}

/**
 * An address for the container on the network, and a v6 one on a network with IPv6: the wanted
 * one if free, else the lowest free one in the network's range (the gateway excluded). A
 * container keeps one lease per network.
 */
export function allocateAddress(
  ctx: EngineContext,
  net: NetworkRecord,
  container: string,
  wanted?: string,
  mac = '',
  wanted6?: string,
): { ip: string; ip6?: string } {
  return writeTx(ctx.db, () => {
    const mine = ctx.db.prepare('SELECT ip, ip6 FROM network_leases WHERE network = ? AND container = ?').get(net.id, container) as
      | { ip: string; ip6: string | null }
      | undefined;
    if (mine && (!wanted || wanted === mine.ip) && (!wanted6 || wanted6 === mine.ip6)) return { ip: mine.ip, ...(mine.ip6 ? { ip6: mine.ip6 } : {}) };
    if (mine) ctx.db.prepare('DELETE FROM network_leases WHERE network = ? AND container = ?').run(net.id, container);
    const addr = intToIp(pickV4(ctx, net, wanted));
    const addr6 = net.ipv6 && net.subnet6 ? pickV6(ctx, net, wanted6) : undefined;
    // dockerd 20.10's words, for --ip6 on a network without a v6 subnet.
    if (wanted6 && !addr6) throw invalidArgument('user specified IP address is supported only when connecting to networks with user configured subnets');
    ctx.db.prepare('INSERT INTO network_leases (network, container, ip, ip6, mac) VALUES (?, ?, ?, ?, ?)').run(net.id, container, addr, addr6 ?? null, mac);
    return { ip: addr, ...(addr6 ? { ip6: addr6 } : {}) };
  });
}

function pickV4(ctx: EngineContext, net: NetworkRecord, wanted?: string): number {
  const subnet = parseCidr(net.subnet);
  const used = new Set((ctx.db.prepare('SELECT ip FROM network_leases WHERE network = ?').all(net.id) as { ip: string }[]).map((r) => ipToInt(r.ip)));
  used.add(ipToInt(net.gateway));
  if (wanted) {
    const ip = ipToInt(wanted);
    if (!contains(subnet, ip)) throw invalidArgument(`requested IP ${wanted} is not in subnet ${net.subnet} of network ${net.name}`);
    if (used.has(ip)) throw conflict(`IP address ${wanted} is already in use on network ${net.name}`);
    return ip;
  }
  const { first, last } = hostRange(subnet, net.ipRange ? parseCidr(net.ipRange) : undefined);
  for (let i = first; i <= last; i++) if (!used.has(i)) return i;
  throw unavailable(`network ${net.name} has no free IP address left`);
}

/** Subnet-router anycast (the subnet's own address) is never handed out, as in v4. */
function pickV6(ctx: EngineContext, net: NetworkRecord, wanted?: string): string {
  const subnet = parseCidr6(net.subnet6!);
  const rows = ctx.db.prepare('SELECT ip6 FROM network_leases WHERE network = ? AND ip6 IS NOT NULL').all(net.id) as { ip6: string }[];
  const used = new Set(rows.map((r) => ip6ToBig(r.ip6)));
  if (net.gateway6) used.add(ip6ToBig(net.gateway6));
  if (wanted) {
    const ip = ip6ToBig(wanted);
    // dockerd 20.10's words.
    if (!contains6(subnet, ip)) throw invalidArgument(`Invalid address ${wanted}: It does not belong to any of this network's subnets`);
    if (used.has(ip)) throw conflict('Address already in use');
    return bigToIp6(ip);
  }
  const last = subnet.base + (1n << BigInt(128 - subnet.prefix)) - 1n;
  for (let i = subnet.base + 1n; i <= last; i++) if (!used.has(i)) return bigToIp6(i);
  throw unavailable(`network ${net.name} has no free IPv6 address left`);
}

export function setLeaseMac(ctx: EngineContext, network: string, container: string, mac: string): void {
  ctx.db.prepare('UPDATE network_leases SET mac = ? WHERE network = ? AND container = ?').run(mac, network, container);
}

export function releaseAddresses(ctx: EngineContext, container: string, network?: string): void {
  if (network) ctx.db.prepare('DELETE FROM network_leases WHERE container = ? AND network = ?').run(container, network);
  else ctx.db.prepare('DELETE FROM network_leases WHERE container = ?').run(container);
}
