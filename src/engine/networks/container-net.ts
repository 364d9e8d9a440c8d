/**
 * @module engine/networks/container-net
 * A container's side of networking. create: which networks and ports it asked for. start: a
 * named netns, an address per network (our IPAM), one `netavark setup` per network (so each can
 * be torn down alone by `disconnect`). exit/rm: `netavark teardown` first, then the netns, then
 * the leases (tearing down after the netns is gone leaves firewall rules behind).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { isIPv4, isIPv6 } from 'node:net';
import { addAddress, createNetnsInUserns, netnsPath, removeUserns, type IdRange } from '../../impl/network/netns.js';
import { ensureRootlessNetns, removeRootlessNetns, rootlessNetnsPaths } from '../../impl/network/rootless-netns.js';
import { addHostForward, removeHostForward } from '../../impl/network/slirp4netns.js';
import { containerNetnsPath, createContainerNetns, removeContainerNetns } from './container-netns.js';
import { netavarkSetup, netavarkTeardown } from '../../impl/network/netavark.js';
import type { NetavarkRequest } from '../../impl/network/types.js';
import { invalidArgument } from '../../core/errdefs.js';
import { crashPoint } from '../../sys/crash-point.js';
import type { EngineContext } from '../context.js';
import type { ContainerContext } from '../containers/context.js';
import type { ContainerRecord } from '../containers/types.js';
import type { RunFilesNetwork } from '../containers/etc-files.js';
import { netavarkOptions, toNetavark, toNetavarkPorts } from './netavark-doc.js';
import { dockerPorts, publishExposed, resolveHostPorts } from './ports.js';
import { reservePorts } from './port-reserve.js';
import { checkUserModePorts, isUserModeNetwork, setupUserModeNetwork, teardownUserModeNetwork, userModeOptions } from './user-mode-net.js';
import { rootlessUid } from '../../sys/linux/rootless-uid.js';
import { allocateAddress, claimForStart, findNetwork, getNetwork, releaseAddresses, setLeaseMac } from './store.js';
import type { ContainerNetState, ContainerNetworkRequest, NetworkAttachment, PortRequest } from './types.js';

export interface NetworkCreateRequest {
  /** none, host, bridge, container:NAME, ns:PATH, or network names (comma-separated). */
  network?: string;
  aliases?: string[];
  ip?: string;
  ip6?: string;
  mac?: string;
  linkLocalIps?: string[];
  publish?: PortRequest[];
  publishAll?: boolean;
}

export interface PlannedNetwork {
  networkMode: string;
  networks?: Record<string, ContainerNetworkRequest>;
  ports?: PortRequest[];
}

const SPECIAL = /^(none|host|container:.+|ns:.+)$/;

/** At create: checks the networks exist (making the default one on first use) and records the request. */
export function planContainerNetwork(ctx: EngineContext, req: NetworkCreateRequest, exposed?: Record<string, object>): PlannedNetwork {
  // A rootless user has no bridge on the host: Podman 4's default for them is slirp4netns.
  const asked = req.network ?? 'bridge';
  const mode = rootlessUid() !== undefined && (asked === 'bridge' || asked === 'default') ? 'slirp4netns' : asked;
  for (const ip of req.linkLocalIps ?? []) if (!isLinkLocal(ip)) throw invalidArgument(`invalid link local IP address: ${ip}`);
  if (isUserModeNetwork(mode)) {
    if (req.ip || req.ip6 || req.aliases?.length) throw invalidArgument(`--ip, --ip6 and --network-alias need a bridge network, not "${mode}"`);
    userModeOptions(mode);
    const ports = [...(req.publish ?? []), ...(req.publishAll ? publishExposed(exposed) : [])];
    checkUserModePorts(mode, ports);
    return { networkMode: mode, ...(ports.length ? { ports } : {}) };
  }
  if (SPECIAL.test(mode)) {
    if (req.ip || req.ip6 || req.aliases?.length) throw invalidArgument(`--ip, --ip6 and --network-alias need a bridge network, not "${mode}"`);
    return { networkMode: mode };
  }
  // A network may be named `a,b` or ` x` (dockerd takes any name): the whole value first.
  const names = findNetwork(ctx, mode)?.name === mode ? [mode] : mode.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) throw invalidArgument('--network needs a value');
  const networks: Record<string, ContainerNetworkRequest> = {};
  names.forEach((n, i) => {
    // `default` is how dockerd records "no network asked for" (the docker CLI sends it).
    const net = getNetwork(ctx, n === 'bridge' || (n === 'default' && names.length === 1) ? ctx.config.network.defaultNetwork : n);
    if (networks[net.name]) throw invalidArgument(`network ${net.name} given twice`);
    // Docker applies --ip/--network-alias/--mac-address to the network named at create.
    networks[net.name] =
      i === 0
        ? {
            ...(req.aliases?.length ? { aliases: req.aliases } : {}),
            ...(req.ip ? { ip: req.ip } : {}),
            ...(req.ip6 ? { ip6: req.ip6 } : {}),
            ...(req.mac ? { mac: req.mac } : {}),
            ...(req.linkLocalIps?.length ? { linkLocalIps: req.linkLocalIps } : {}),
          }
        : {};
  });
  const ports = [...(req.publish ?? []), ...(req.publishAll ? publishExposed(exposed) : [])];
  if (rootlessUid() !== undefined) checkUserModePorts(mode, ports);
  return { networkMode: mode, networks, ...(ports.length ? { ports } : {}) };
}

/** dockerd's rule for `--link-local-ip`: an IPv4 169.254.0.0/16 or IPv6 fe80::/10 address. */
function isLinkLocal(ip: string): boolean {
  if (isIPv4(ip)) return ip.startsWith('169.254.');
  return isIPv6(ip) && /^fe[89ab][0-9a-f]:/i.test(ip);
}

export function netnsName(id: string): string {
  return `skiff-${id}`;
}

function freeInterface(attachments: NetworkAttachment[]): string {
  for (let i = 0; ; i++) if (!attachments.some((a) => a.iface === `eth${i}`)) return `eth${i}`;
}

/**
 * dockerd's endpoint aliases on a user network: the requested ones, the short ID and an
 * explicit `--hostname`, each once (daemon/container_operations.go).
 */
function dnsAliases(c: ContainerRecord, want: ContainerNetworkRequest): string[] {
  const out = [...(want.aliases ?? [])];
  for (const a of [c.id.slice(0, 12), c.config.opts.hostname]) if (a && !out.includes(a)) out.push(a);
  return out;
}

/** One network's setup; the lease is released again if netavark fails. */
async function attach(
  ctx: EngineContext,
  c: ContainerRecord,
  netns: string,
  name: string,
  want: ContainerNetworkRequest,
  iface: string,
  ports: PortRequest[],
  pending: (a: NetworkAttachment) => void,
): Promise<NetworkAttachment> {
  const net = claimForStart(ctx, getNetwork(ctx, name));
  const { ip, ip6 } = allocateAddress(ctx, net, c.id, want.ip, want.mac, want.ip6);
  const aliases = dnsAliases(c, want);
  const doc = toNetavark(ctx, net);
  const request: NetavarkRequest = {
    container_id: c.id,
    container_name: c.name,
    // A rootless user's ports arrive from the rootless netns's slirp4netns, at its own address.
    port_mappings: toNetavarkPorts(rootlessUid() !== undefined ? ports.map((p) => ({ ...p, hostIp: '' })) : ports),
    networks: { [doc.name]: { static_ips: ip6 ? [ip, ip6] : [ip], aliases, interface_name: iface, ...(want.mac ? { static_mac: want.mac } : {}) } },
    network_info: { [doc.name]: doc },
  };
  // Named in the row before netavark runs: a process killed during setup leaves firewall rules
  // and a veth that only a teardown with this very request removes.
  pending({
    network: net.name, networkId: net.id, iface, ip, prefixLen: Number(net.subnet.split('/')[1]), gateway: '', mac: '',
    aliases: want.aliases ?? [], dnsServers: [], dnsSearch: [], request, pending: true,
  });
  crashPoint('network:before-setup');
  let status;
  try {
    // A rootless user's netavark works in their rootless netns, made (again) by the first start;
    // only after the pending attachment is in the row, which keeps a removal of it away.
    if (rootlessUid() !== undefined) await ensureRootlessNetns(ctx.runroot);
    status = await netavarkSetup(netavarkOptions(ctx), netns, request);
    crashPoint('network:after-setup');
  } catch (e) {
    releaseAddresses(ctx, c.id, net.id);
    throw e;
  }
  try {
    // dockerd puts them on the interface with the link-local prefix length.
    for (const ll of want.linkLocalIps ?? []) await addAddress(netns, iface, `${ll}/${isIPv4(ll) ? 16 : 64}`);
  } catch (e) {
    await netavarkTeardown(netavarkOptions(ctx), netns, request).catch(() => undefined);
    releaseAddresses(ctx, c.id, net.id);
    throw e;
  }
  ctx.events.emit({ Type: 'network', Action: 'connect', Actor: { ID: net.id, Attributes: { container: c.id, name: net.name, type: net.driver } } });
  const s = status[doc.name];
  const ifs = s?.interfaces?.[iface];
  const ipnet = ifs?.subnets?.find((x) => !x.ipnet.includes(':'))?.ipnet ?? `${ip}/${net.subnet.split('/')[1]}`;
  const ipnet6 = ifs?.subnets?.find((x) => x.ipnet.includes(':'))?.ipnet ?? `${ip6}/${net.subnet6?.split('/')[1]}`;
  const mac = ifs?.mac_address ?? '';
  if (mac) setLeaseMac(ctx, net.id, c.id, mac);
  return {
    network: net.name,
    networkId: net.id,
    iface,
    ip,
    prefixLen: Number(ipnet.split('/')[1]),
    gateway: net.internal ? '' : net.gateway,
    ...(ip6 ? { ip6, prefixLen6: Number(ipnet6.split('/')[1]), gateway6: net.internal ? '' : (net.gateway6 ?? '') } : {}),
    mac,
    aliases: want.aliases ?? [],
    dnsServers: s?.dns_server_ips ?? [],
    dnsSearch: s?.dns_search_domains ?? [],
    request,
  };
}

async function detach(ctx: EngineContext, id: string, netns: string, a: NetworkAttachment): Promise<void> {
  try {
    await netavarkTeardown(netavarkOptions(ctx), netns, a.request);
  } finally {
    releaseAddresses(ctx, id, a.networkId);
    ctx.events.emit({ Type: 'network', Action: 'disconnect', Actor: { ID: a.networkId, Attributes: { container: id, name: a.network, type: 'bridge' } } });
  }
}

/**
 * At start, before the spec: the netns and every network of the container, recorded in its
 * state. Undefined when the container does not use bridge networks. All or nothing.
 */
export async function setupContainerNetwork(cc: ContainerContext, c: ContainerRecord): Promise<ContainerNetState | undefined> {
  if (isUserModeNetwork(c.config.networkMode)) return setupUserModeNetwork(cc, c);
  const networks = c.config.networks;
  if (!networks || SPECIAL.test(c.config.networkMode)) return undefined;
  const ctx = cc.ctx;
  const userns = c.config.opts.userns;
  let usernsFile: string | undefined;
  let maps: { uid: IdRange; gid: IdRange } | undefined;
  if (userns && userns.mode === 'private') {
    if (userns.uidMappings.length !== 1 || userns.gidMappings.length !== 1) {
      throw invalidArgument('bridge networking with a user namespace needs exactly one uid and one gid map range: use --network none or host');
    }
    usernsFile = join(ctx.runroot, 'userns', c.id);
    maps = { uid: userns.uidMappings[0]!, gid: userns.gidMappings[0]! };
  }
  const netns = usernsFile ? netnsPath(netnsName(c.id)) : containerNetnsPath(ctx, c.id);
  const state: ContainerNetState = { netns, ...(usernsFile ? { userns: usernsFile } : {}), ports: [], attachments: [] };
  // The row names the netns before it exists, each attachment before netavark sets it up: what
  // a killed start leaves is always found (and torn down) from the row.
  const record = (attachments: NetworkAttachment[]) =>
    cc.records.updateState(c.id, (s) => ({ ...s, net: { ...state, attachments } }));
  record([]);
  try {
    crashPoint('network:recorded');
    if (usernsFile && maps) await createNetnsInUserns(netnsName(c.id), usernsFile, maps.uid, maps.gid);
    else await createContainerNetns(ctx, c.id);
    crashPoint('network:netns');
    state.ports = await resolveHostPorts(c.config.ports ?? []);
    if (state.ports.length) await reservePorts(cc, c, state);
    for (const [name, want] of Object.entries(networks)) {
      // Published ports go through the first network, as with Podman's one netavark call.
      const ports = state.attachments.length === 0 ? state.ports : [];
      const pending = (a: NetworkAttachment) => record([...state.attachments, a]);
      state.attachments.push(await attach(ctx, c, netns, name, want, freeInterface(state.attachments), ports, pending));
    }
    if (rootlessUid() !== undefined && state.ports.length) await forwardIntoRootlessNetns(ctx, state, () => record(state.attachments));
    record(state.attachments);
    return state;
  } catch (e) {
    cc.records.updateState(c.id, ({ net: _drop, ...rest }) => (_drop ? rest : false));
    await unforward(ctx, state);
    for (const a of state.attachments.reverse()) await detach(ctx, c.id, netns, a).catch(() => undefined);
    await removeContainerNetns(netns, c.id).catch(() => undefined);
    if (usernsFile) await removeUserns(usernsFile);
    releaseAddresses(ctx, c.id);
    cc.records.updateState(c.id, (s) => {
      const { net: _drop, ...rest } = s;
      return rest;
    });
    throw e;
  }
}

/**
 * Undoes setup. Whoever takes the network state from the row tears it down, so conmon's exit
 * command, `wait` and `rm` racing each other run netavark once.
 */
export async function teardownContainerNetwork(cc: ContainerContext, id: string): Promise<void> {
  const errors: unknown[] = [];
  let net: ContainerNetState | undefined;
  cc.records.updateState(id, (s) => {
    net = s.net;
    if (!net) return false;
    const { net: _drop, ...rest } = s;
    return rest;
  });
  if (!net) return;
  if (net.userMode) return teardownUserModeNetwork(id, net).catch(() => undefined);
  await unforward(cc.ctx, net);
  for (const a of [...net.attachments].reverse()) {
    await detach(cc.ctx, id, net.netns, a).catch((e: unknown) => errors.push(e));
  }
  await removeContainerNetns(net.netns, id).catch((e: unknown) => errors.push(e));
  if (net.userns) await removeUserns(net.userns).catch((e: unknown) => errors.push(e));
  releaseAddresses(cc.ctx, id);
  await dropUnusedRootlessNetns(cc).catch((e: unknown) => errors.push(e));
  // Nothing is left to retry with (the state was taken), and cleanup must still remove the
  // container: a failed teardown is not the exit path's error.
  void errors;
}

/**
 * A rootless user's published ports on their networks: listeners of the rootless netns's
 * slirp4netns on the host, each to the same port at the namespace's address, where netavark's
 * rules forward it to the container. Each listener's id is recorded as soon as it exists.
 */
async function forwardIntoRootlessNetns(ctx: EngineContext, state: ContainerNetState, record: () => void): Promise<void> {
  const api = rootlessNetnsPaths(ctx.runroot).apiSocket;
  state.rootlessForwards = [];
  for (const p of state.ports) {
    for (let i = 0; i < p.range; i++) {
      const port = p.hostPort + i;
      state.rootlessForwards.push(await addHostForward(api, { proto: p.protocol as 'tcp' | 'udp', hostAddr: p.hostIp, hostPort: port, guestPort: port }));
      record();
    }
  }
}

async function unforward(ctx: EngineContext, net: ContainerNetState): Promise<void> {
  const api = rootlessNetnsPaths(ctx.runroot).apiSocket;
  for (const id of net.rootlessForwards ?? []) await removeHostForward(api, id).catch(() => undefined);
}

/**
 * A rootless user's rootless netns (and its slirp4netns) goes when no container of theirs is
 * attached to a bridge network any more, as Podman's does: nothing of it outlives its use.
 */
async function dropUnusedRootlessNetns(cc: ContainerContext): Promise<void> {
  if (rootlessUid() === undefined) return;
  const inUse = () => cc.records.list().some((c) => (c.state.net?.attachments.length ?? 0) > 0);
  if (!inUse()) await removeRootlessNetns(cc.ctx.runroot, inUse);
}

/** `network connect` on a running container: one more interface (eth1, ...). */
export async function connectRunning(cc: ContainerContext, c: ContainerRecord, name: string, want: ContainerNetworkRequest): Promise<void> {
  const net = c.state.net;
  if (!net) return;
  if (net.attachments.some((a) => a.network === name)) return;
  const put = (a: NetworkAttachment) =>
    cc.records.updateState(c.id, (s) =>
      s.net ? { ...s, net: { ...s.net, attachments: [...s.net.attachments.filter((x) => x.network !== name), a] } } : false,
    );
  try {
    put(await attach(cc.ctx, c, net.netns, name, want, freeInterface(net.attachments), [], put));
  } catch (e) {
    cc.records.updateState(c.id, (s) =>
      s.net ? { ...s, net: { ...s.net, attachments: s.net.attachments.filter((x) => x.network !== name) } } : false,
    );
    throw e;
  }
}

/**
 * Whether a `network connect` of the running `c` to `name` was cut after the network was
 * recorded: the container has no attachment to it, or only the one written before netavark ran.
 */
export function connectUnfinished(c: ContainerRecord, name: string): boolean {
  const net = c.state.net;
  if (!net || !c.config.networks?.[name]) return false;
  const a = net.attachments.find((x) => x.network === name);
  return !a || a.pending === true;
}

/** Finishes such a connect: a half-made attachment is torn down with its own request, then made again. */
export async function finishConnect(cc: ContainerContext, c: ContainerRecord, name: string): Promise<void> {
  const half = c.state.net?.attachments.find((x) => x.network === name);
  if (half && c.state.net) {
    await netavarkTeardown(netavarkOptions(cc.ctx), c.state.net.netns, half.request).catch(() => undefined);
    releaseAddresses(cc.ctx, c.id, half.networkId);
    cc.records.updateState(c.id, (s) =>
      s.net ? { ...s, net: { ...s.net, attachments: s.net.attachments.filter((x) => x.network !== name) } } : false,
    );
  }
  const now = cc.records.get(c.id);
  if (now) await connectRunning(cc, now, name, now.config.networks?.[name] ?? {});
}

/** `network disconnect` on a running container: that interface goes, the others stay. */
export async function disconnectRunning(cc: ContainerContext, c: ContainerRecord, name: string): Promise<void> {
  const net = c.state.net;
  const a = net?.attachments.find((x) => x.network === name);
  if (!net || !a) return;
  cc.records.updateState(c.id, (s) =>
    s.net ? { ...s, net: { ...s.net, attachments: s.net.attachments.filter((x) => x.network !== name) } } : false,
  );
  await detach(cc.ctx, c.id, net.netns, a);
}

export { netnsPath };

export function runFilesNetwork(net: ContainerNetState): RunFilesNetwork | undefined {
  const um = net.userMode;
  if (um) return { ip: um.ip, gateway: um.gateway, dnsServers: um.dnsServers, dnsSearch: [] };
  const a = net.attachments[0];
  if (!a) return undefined;
  return {
    ip: a.ip,
    ...(a.ip6 ? { ip6: a.ip6 } : {}),
    ...(a.gateway ? { gateway: a.gateway } : {}),
    dnsServers: net.attachments.flatMap((x) => x.dnsServers),
    dnsSearch: [...new Set(net.attachments.flatMap((x) => x.dnsSearch))],
  };
}

/**
 * An attachment's endpoint id: dockerd makes a random one per connect; skiff's is derived from
 * the container and network ids, so it is stable while attached and unique per attachment.
 */
function endpointId(containerId: string, a: NetworkAttachment | undefined): string {
  return a ? createHash('sha256').update(`${containerId}/${a.networkId}`).digest('hex') : '';
}

/**
 * Docker's NetworkSettings for inspect: live values while running, the request otherwise, with
 * every key dockerd 20.10 sends (test/vendor/dockerd).
 */
export function networkSettings(c: ContainerRecord, exposed?: Record<string, object>, defaultNetwork?: string) {
  const net = c.state.net;
  const first = net?.attachments[0];
  const networks: Record<string, object> = {};
  // dockerd names an endpoint's aliases once it joined (at the first start), never on the default bridge.
  const started = c.state.startedAt !== '0001-01-01T00:00:00Z';
  for (const [name, want] of Object.entries(c.config.networks ?? {})) {
    const a = net?.attachments.find((x) => x.network === name);
    networks[name] = {
      IPAMConfig:
        want.ip || want.ip6 || want.linkLocalIps?.length
          ? {
              ...(want.ip ? { IPv4Address: want.ip } : {}),
              ...(want.ip6 ? { IPv6Address: want.ip6 } : {}),
              ...(want.linkLocalIps?.length ? { LinkLocalIPs: want.linkLocalIps } : {}),
            }
          : null,
      Links: null,
      Aliases: name === defaultNetwork ? null : started ? dnsAliases(c, want) : (want.aliases ?? null),
      NetworkID: a?.networkId ?? '',
      EndpointID: endpointId(c.id, a),
      Gateway: a?.gateway ?? '',
      IPAddress: a?.ip ?? '',
      IPPrefixLen: a?.prefixLen ?? 0,
      IPv6Gateway: a?.gateway6 ?? '',
      GlobalIPv6Address: a?.ip6 ?? '',
      GlobalIPv6PrefixLen: a?.prefixLen6 ?? 0,
      MacAddress: a?.mac ?? '',
      DriverOpts: null,
      InterfaceName: a?.iface ?? '',
    };
  }
  if (c.config.networkMode === 'host') networks.host = {};
  if (c.config.networkMode === 'none') networks.none = {};
  return {
    Bridge: '',
    SandboxID: '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: dockerPorts(net?.ports ?? [], exposed),
    SandboxKey: net?.netns ?? '',
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: endpointId(c.id, first),
    Gateway: first?.gateway ?? '',
    GlobalIPv6Address: first?.ip6 ?? '',
    GlobalIPv6PrefixLen: first?.prefixLen6 ?? 0,
    IPAddress: first?.ip ?? '',
    IPPrefixLen: first?.prefixLen ?? 0,
    IPv6Gateway: first?.gateway6 ?? '',
    MacAddress: first?.mac ?? '',
    Networks: networks,
  };
}

/** Docker's /containers/json Ports entries (published ports of a running container). */
export function summaryPorts(c: ContainerRecord): { IP: string; PrivatePort: number; PublicPort: number; Type: string }[] {
  return (c.state.net?.ports ?? []).flatMap((p) =>
    Array.from({ length: p.range }, (_, i) => ({ IP: p.hostIp || '0.0.0.0', PrivatePort: p.containerPort + i, PublicPort: p.hostPort + i, Type: p.protocol })),
  );
}
