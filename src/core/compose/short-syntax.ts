/**
 * @module compose/short-syntax
 * The Compose Specification's short forms of `ports` and `volumes`, read into their long forms
 * as Docker Compose v2 does (compose-go `types.ParsePortConfig` over go-connections'
 * `nat.ParsePortSpec`, and `format.ParseVolume`).
 */
import { invalidArgument } from '../errdefs.js';
import type { ServicePortConfig, ServiceVolumeConfig } from './types.js';

/**
 * `[[ip:]published[-range]:]target[-range][/protocol]`: one entry per container port, so a
 * range makes several; a published range for one target stays a range string.
 */
export function parsePortShort(spec: string | number): ServicePortConfig[] {
  const text = String(spec).trim();
  const slash = text.lastIndexOf('/');
  const protocol = slash >= 0 ? text.slice(slash + 1).toLowerCase() : 'tcp';
  const rest = slash >= 0 ? text.slice(0, slash) : text;
  let hostIp: string | undefined;
  let published = '';
  let target: string;
  // An IPv6 host address is bracketed: [::1]:8080:80
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  const parts = v6 ? [v6[1]!, ...splitLast2(v6[2]!)] : rest.split(':');
  if (parts.length === 1) {
    target = parts[0]!;
  } else if (parts.length === 2) {
    [published, target] = [parts[0]!, parts[1]!];
  } else if (parts.length === 3) {
    [hostIp, published, target] = [parts[0]!, parts[1]!, parts[2]!];
  } else {
    // An unbracketed IPv6 address: the last two are the ports.
    target = parts.pop()!;
    published = parts.pop()!;
    hostIp = parts.join(':');
  }
  if (!['tcp', 'udp', 'sctp'].includes(protocol)) throw invalidArgument(`invalid proto: ${protocol}`);
  const [tStart, tEnd] = portRange(target, spec);
  const pubRange = published === '' ? undefined : portRange(published, spec);
  const count = tEnd - tStart + 1;
  if (pubRange && count > 1 && pubRange[1] - pubRange[0] + 1 !== count) {
    throw invalidArgument(`invalid ranges specified for container and host Ports: ${target} and ${published}`);
  }
  const out: ServicePortConfig[] = [];
  for (let i = 0; i < count; i++) {
    let pub: string | undefined;
    if (pubRange) {
      pub = count > 1 ? String(pubRange[0] + i) : pubRange[0] === pubRange[1] ? String(pubRange[0]) : `${pubRange[0]}-${pubRange[1]}`;
    }
    const p: ServicePortConfig = { mode: 'ingress', target: tStart + i, protocol };
    if (hostIp) Object.assign(p, { host_ip: hostIp });
    out.push(orderPort({ ...p, ...(pub !== undefined ? { published: pub } : {}) }));
  }
  return out;
}

function splitLast2(s: string): string[] {
  const i = s.lastIndexOf(':');
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
}

function portRange(s: string, spec: unknown): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s.trim());
  if (!m) throw invalidArgument(`invalid port "${String(spec)}"`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a > 65535 || b > 65535 || b < a) throw invalidArgument(`invalid port "${String(spec)}"`);
  return [a, b];
}

/** compose-go's field order: name, mode, host_ip, target, published, protocol, app_protocol. */
export function orderPort(p: ServicePortConfig & Record<string, unknown>): ServicePortConfig {
  const order = ['name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol'];
  const out: Record<string, unknown> = {};
  for (const k of order) if (p[k] !== undefined) out[k] = p[k];
  for (const [k, v] of Object.entries(p)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as unknown as ServicePortConfig;
}

const PROPAGATION = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);
const CONSISTENCY = new Set(['consistent', 'cached', 'delegated']);

/** A bind source is a path: absolute, `.`-relative or `~`-relative; anything else names a volume. */
export function isPathSource(source: string): boolean {
  return source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
}

/**
 * `[source:]target[:mode,…]`. Without a source: an anonymous volume. The short syntax of a bind
 * implies `create_host_path: true` (docs: "implied by short syntax for backward compatibility").
 */
export function parseVolumeShort(spec: string): ServiceVolumeConfig {
  const parts = spec.split(':');
  if (parts.some((p) => p === '') || parts.length > 3) throw invalidArgument(`invalid spec: ${spec}: empty section between colons`);
  if (parts.length === 1) return { type: 'volume', target: parts[0]!, volume: {} };
  const [source, target, modes] = parts as [string, string, string | undefined];
  const v: ServiceVolumeConfig = isPathSource(source)
    ? { type: 'bind', source, target, bind: { create_host_path: true } }
    : { type: 'volume', source, target, volume: {} };
  for (const mode of modes ? modes.split(',') : []) {
    if (mode === 'ro') v.read_only = true;
    else if (mode === 'rw') continue;
    else if (mode === 'z' || mode === 'Z') {
      if (v.type !== 'bind') throw invalidArgument(`invalid spec: ${spec}: selinux label only applies to a bind`);
      v.bind!.selinux = mode;
    } else if (mode === 'nocopy') {
      if (v.type !== 'volume') throw invalidArgument(`invalid spec: ${spec}: nocopy only applies to a volume`);
      v.volume!.nocopy = true;
    } else if (PROPAGATION.has(mode)) {
      if (v.type !== 'bind') throw invalidArgument(`invalid spec: ${spec}: propagation only applies to a bind`);
      v.bind!.propagation = mode;
    } else if (CONSISTENCY.has(mode)) v.consistency = mode;
    else throw invalidArgument(`invalid spec: ${spec}: unknown option: ${mode}`);
  }
  return orderVolume(v);
}

/** compose-go's field order: type, source, target, read_only, consistency, bind, volume, tmpfs, image. */
export function orderVolume(v: ServiceVolumeConfig): ServiceVolumeConfig {
  const order = ['type', 'source', 'target', 'read_only', 'consistency', 'bind', 'volume', 'tmpfs', 'image'];
  const src = v as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of order) if (src[k] !== undefined) out[k] = src[k];
  for (const [k, val] of Object.entries(src)) if (!(k in out) && val !== undefined) out[k] = val;
  return out as unknown as ServiceVolumeConfig;
}

/** `KEY=VALUE` / `KEY` lists and mappings as one mapping; a bare `KEY` is null. */
export function toMapping(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (const item of v) {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq < 0) out[s] = null;
      else out[s.slice(0, eq)] = s.slice(eq + 1);
    }
    return out;
  }
  if (typeof v === 'object') return { ...(v as Record<string, unknown>) };
  throw invalidArgument(`${what} must be a mapping or a list`);
}
