/**
 * @module engine/networks/user-mode-net
 * `--network slirp4netns[:OPTIONS]`, the default network of a rootless user (Podman 4's): the
 * container's own netns with slirp4netns's tap device in it, and `-p` as slirp4netns's host
 * listeners. Root may ask for it too. Setup records the netns path in the row before making it
 * and slirp4netns's pid as soon as it runs, so a teardown from the row (exit cleanup, stop, rm,
 * a later start after a killed one) stops the process and removes the netns.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { failedPrecondition, invalidArgument } from '../../core/errdefs.js';
import { containerNetnsPath, createContainerNetns, removeContainerNetns } from './container-netns.js';
import { addHostForward, SLIRP, startSlirp4netns, stopSlirp4netns } from '../../impl/network/slirp4netns.js';
import { rootlessUid } from '../../sys/linux/rootless-uid.js';
import type { EngineContext } from '../context.js';
import type { ContainerContext } from '../containers/context.js';
import type { ContainerRecord } from '../containers/types.js';
import { reservePorts } from './port-reserve.js';
import { resolveHostPorts } from './ports.js';
import type { ContainerNetState, PortRequest } from './types.js';

const USER_MODE = /^(slirp4netns|pasta)(:.*)?$/;

export function isUserModeNetwork(mode: string): boolean {
  return USER_MODE.test(mode);
}

export interface UserModeOptions {
  allowHostLoopback: boolean;
  mtu: number;
}

/** The options after `slirp4netns:` (Podman's names), checked at create. */
export function userModeOptions(mode: string): UserModeOptions {
  const [driver, rest] = [mode.split(':')[0]!, mode.slice(mode.indexOf(':') + 1)];
  if (driver === 'pasta') {
    throw failedPrecondition('--network pasta: not implemented yet (Debian 12 has no passt in skiff\'s setup): use slirp4netns, the rootless default');
  }
  const o: UserModeOptions = { allowHostLoopback: false, mtu: 65520 };
  if (!mode.includes(':')) return o;
  for (const kv of rest.split(',').filter(Boolean)) {
    const [k, v = ''] = kv.split('=', 2) as [string, string?];
    if (k === 'allow_host_loopback' && (v === 'true' || v === 'false')) o.allowHostLoopback = v === 'true';
    else if (k === 'mtu' && /^\d+$/.test(v) && Number(v) >= 68 && Number(v) <= 65521) o.mtu = Number(v);
    // slirp4netns is the port handler skiff has; Podman's default rootlessport is not needed.
    else if (k === 'port_handler' && v === 'slirp4netns') continue;
    else throw invalidArgument(`--network ${mode}: unknown or invalid slirp4netns option "${kv}" (allow_host_loopback=true|false, mtu=N, port_handler=slirp4netns)`);
  }
  return o;
}

/** SCTP has no user-mode forwarding: refused at create, not at start. */
export function checkUserModePorts(mode: string, ports: PortRequest[]): void {
  const sctp = ports.find((p) => p.protocol === 'sctp');
  if (sctp) throw invalidArgument(`--network ${mode.split(':')[0]}: cannot publish sctp port ${sctp.containerPort}`);
}

function slirpDir(ctx: EngineContext): string {
  return join(ctx.runroot, 'slirp4netns');
}

/** At start: the netns, slirp4netns in it, the published ports. All or nothing. */
export async function setupUserModeNetwork(cc: ContainerContext, c: ContainerRecord): Promise<ContainerNetState> {
  const ctx = cc.ctx;
  const opts = userModeOptions(c.config.networkMode);
  const netns = containerNetnsPath(ctx, c.id);
  // A unix socket path is at most 107 bytes: 16 hex digits of the id name it well enough.
  const base = join(slirpDir(ctx), c.id.slice(0, 16));
  const state: ContainerNetState = {
    netns,
    ports: [],
    attachments: [],
    userMode: { driver: 'slirp4netns', pid: 0, apiSocket: `${base}.sock`, ip: SLIRP.ip, prefixLen: SLIRP.prefixLen, gateway: SLIRP.gateway, dnsServers: [SLIRP.dns] },
  };
  const record = () => cc.records.updateState(c.id, (s) => ({ ...s, net: structuredClone(state) }));
  record();
  try {
    await createContainerNetns(ctx, c.id);
    state.ports = await resolveHostPorts(c.config.ports ?? []);
    if (state.ports.length) await reservePorts(cc, c, state);
    mkdirSync(slirpDir(ctx), { recursive: true, mode: 0o700 });
    rmSync(state.userMode!.apiSocket, { force: true });
    const sandbox = rootlessUid() !== undefined;
    state.userMode!.pid = await startSlirp4netns({ netns, apiSocket: state.userMode!.apiSocket, logFile: `${base}.log`, sandbox, ...opts });
    record();
    for (const p of state.ports) {
      for (let i = 0; i < p.range; i++) {
        await addHostForward(state.userMode!.apiSocket, { proto: p.protocol as 'tcp' | 'udp', hostAddr: p.hostIp, hostPort: p.hostPort + i, guestPort: p.containerPort + i });
      }
    }
    return state;
  } catch (e) {
    await teardownUserModeNetwork(c.id, state);
    cc.records.updateState(c.id, ({ net: _drop, ...rest }) => (_drop ? rest : false));
    throw e;
  }
}

/** Stops slirp4netns (its listeners go with it), then removes the netns. Idempotent. */
export async function teardownUserModeNetwork(id: string, net: ContainerNetState): Promise<void> {
  const um = net.userMode;
  if (um?.pid) await stopSlirp4netns(um.pid, net.netns);
  await removeContainerNetns(net.netns, id);
  if (um) {
    rmSync(um.apiSocket, { force: true });
    rmSync(um.apiSocket.replace(/\.sock$/, '.log'), { force: true });
  }
}
