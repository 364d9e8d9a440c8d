/**
 * @module engine/networks/ports
 * `-p`/`--publish` and `-P`: Docker's syntax to port requests, free host ports for the ones
 * left to the engine, and the Docker `Ports` map inspect shows.
 */
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { invalidArgument } from '../../core/errdefs.js';
import type { PortRequest } from './types.js';

type Proto = PortRequest['protocol'];

function portRange(s: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw invalidArgument(`invalid ${what} "${s}"`);
  const a = Number(m[1]);
  const b = m[2] !== undefined ? Number(m[2]) : a;
  if (a < 1 || b > 65535 || b < a) throw invalidArgument(`invalid ${what} "${s}"`);
  return [a, b];
}

/** `[ip:][hostPort[-end]:]containerPort[-end][/proto]`; IPv6 host addresses in brackets. */
export function parsePublish(spec: string): PortRequest[] {
  let rest = spec;
  let protocol: Proto = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1);
    if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') throw invalidArgument(`invalid protocol "${p}" in "${spec}"`);
    protocol = p;
    rest = rest.slice(0, slash);
  }
  let hostIp = '';
  const bracket = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  let parts: string[];
  if (bracket) {
    hostIp = bracket[1]!;
    parts = bracket[2]!.split(':');
    if (parts.length === 1) parts = ['', parts[0]!];
  } else {
    parts = rest.split(':');
    if (parts.length === 3) hostIp = parts.shift()!;
    if (parts.length > 2) throw invalidArgument(`invalid port specification "${spec}"`);
  }
  if (hostIp === '0.0.0.0') hostIp = '';
  const [ctrA, ctrB] = portRange(parts.at(-1)!, 'container port');
  const hostPart = parts.length === 2 ? parts[0]! : '';
  const count = ctrB - ctrA + 1;
  if (hostPart === '') {
    // Each container port gets its own free host port at start.
    return Array.from({ length: count }, (_, i) => ({ hostIp, hostPort: 0, containerPort: ctrA + i, range: 1, protocol }));
  }
  const [hostA, hostB] = portRange(hostPart, 'host port');
  if (hostB - hostA + 1 !== count) {
    if (hostA !== hostB || count !== 1) throw invalidArgument(`invalid ranges in "${spec}": host and container ranges differ in size`);
  }
  return [{ hostIp, hostPort: hostA, containerPort: ctrA, range: count, protocol }];
}

/** `-P`: every EXPOSEd port ("80/tcp", "53/udp") to a free host port. */
export function publishExposed(exposed: Record<string, object> | undefined): PortRequest[] {
  return Object.keys(exposed ?? {}).flatMap((k) => {
    const [port, proto = 'tcp'] = k.split('/');
    return parsePublish(`${port}/${proto}`);
  });
}

function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host || '0.0.0.0', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function freeUdpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, host || '0.0.0.0', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

/** Host port 0 becomes a port the kernel says is free now (Docker picks from the ephemeral range too). */
export async function resolveHostPorts(ports: PortRequest[]): Promise<PortRequest[]> {
  const out: PortRequest[] = [];
  for (const p of ports) {
    if (p.hostPort !== 0) out.push(p);
    else out.push({ ...p, hostPort: p.protocol === 'udp' ? await freeUdpPort(p.hostIp) : await freeTcpPort(p.hostIp) });
  }
  return out;
}

export type DockerPortMap = Record<string, { HostIp: string; HostPort: string }[] | null>;

/** Docker's NetworkSettings.Ports: "80/tcp" → bindings; exposed but unpublished ports map to null. */
export function dockerPorts(ports: PortRequest[], exposed?: Record<string, object>): DockerPortMap {
  const out: DockerPortMap = {};
  for (const k of Object.keys(exposed ?? {})) out[k.includes('/') ? k : `${k}/tcp`] = null;
  for (const p of ports) {
    for (let i = 0; i < p.range; i++) {
      const key = `${p.containerPort + i}/${p.protocol}`;
      (out[key] ??= []).push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort + i) });
    }
  }
  return out;
}


const anyAddress = (ip: string) => ip === '' || ip === '0.0.0.0' || ip === '::';

/**
 * The first host port of `a` that `b` holds too: same protocol, overlapping ranges, and the
 * same host IP or either on every address (dockerd's port allocator treats 0.0.0.0 so).
 */
export function portOverlap(a: PortRequest, b: PortRequest): number | undefined {
  if (a.protocol !== b.protocol) return undefined;
  if (!(anyAddress(a.hostIp) || anyAddress(b.hostIp) || a.hostIp === b.hostIp)) return undefined;
  const lo = Math.max(a.hostPort, b.hostPort);
  return lo <= Math.min(a.hostPort + a.range - 1, b.hostPort + b.range - 1) ? lo : undefined;
}

/** dockerd's words for a host port someone holds. */
export function portAllocated(p: PortRequest, port: number): string {
  return `Bind for ${p.hostIp || '0.0.0.0'}:${port} failed: port is already allocated`;
}

/** Whether binding the port now fails with EADDRINUSE; other failures are netavark's to report. */
function bindRefused(ip: string, port: number, protocol: Proto): Promise<boolean> {
  return new Promise((resolve) => {
    const host = ip || '0.0.0.0';
    const done = (e?: NodeJS.ErrnoException) => resolve(e?.code === 'EADDRINUSE');
    if (protocol === 'udp') {
      const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      s.once('error', (e) => {
        try {
          s.close();
        } catch {
          // never bound
        }
        done(e);
      });
      s.bind({ port, address: host, exclusive: true }, () => s.close(() => done()));
      return;
    }
    const srv = createServer();
    srv.once('error', done);
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => done()));
  });
}

/**
 * The first requested host port some process of the host has bound (netavark forwards ports
 * without binding them, so skiff's own containers are not seen here). SCTP is not probed.
 */
export async function portBoundOnHost(ports: PortRequest[]): Promise<{ p: PortRequest; port: number } | undefined> {
  for (const p of ports) {
    if (p.protocol === 'sctp') continue;
    for (let port = p.hostPort; port < p.hostPort + p.range; port++) {
      if (await bindRefused(p.hostIp, port, p.protocol)) return { p, port };
    }
  }
  return undefined;
}
