/**
 * @module etc-files
 * The files a container sees under /etc that the engine writes or reads: /etc/hosts,
 * /etc/resolv.conf and /etc/hostname are generated; the image's /etc/passwd and /etc/group are
 * parsed to resolve `--user`. Pure text in, text out: the caller reads and writes the files.
 */
import { invalidArgument } from '../errdefs.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** Lines that do not have the seven fields and numeric ids are skipped, as libc does. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const f = l.split(':');
    if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) continue;
    out.push({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]!, shell: f[6]! });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const f = l.split(':');
    if (f.length < 4 || !/^\d+$/.test(f[2]!)) continue;
    out.push({ name: f[0]!, gid: Number(f[2]), members: f[3]! ? f[3]!.split(',').map((m) => m.trim()).filter(Boolean) : [] });
  }
  return out;
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** From passwd; "/" when the user has no entry (runc's default). */
  home: string;
  name?: string;
}

const MAX_ID = 2 ** 32 - 2;

function numericId(s: string, what: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  if (n > MAX_ID) throw invalidArgument(`${what} ${s} is out of range`);
  return n;
}

/**
 * runc's GetExecUser rules: `name` or `uid`, then `:group` or `:gid`. A numeric uid need not
 * exist in passwd (its gid is then 0); a name must. The supplementary groups are the primary
 * one, then (without an explicit group) those listing the user by name, then `groupAdd`.
 */
export function resolveUser(spec: string, passwd?: string, group?: string, groupAdd: string[] = []): ResolvedUser {
  const users = passwd !== undefined ? parsePasswd(passwd) : [];
  const groups = group !== undefined ? parseGroup(group) : [];
  const [userPart = '', groupPart] = spec.split(':', 2) as [string, string | undefined];
  const u = userPart === '' ? '0' : userPart;

  let uid: number;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  const uidNum = numericId(u, 'uid');
  const entry = uidNum !== undefined ? users.find((p) => p.uid === uidNum) : users.find((p) => p.name === u);
  if (entry) {
    uid = entry.uid;
    gid = entry.gid;
    home = entry.home || '/';
    name = entry.name;
  } else if (uidNum !== undefined) {
    uid = uidNum;
  } else {
    throw invalidArgument(`unable to find user ${u}: no matching entries in passwd file`);
  }

  const lookupGroup = (g: string): number => {
    const n = numericId(g, 'gid');
    if (n !== undefined) return n;
    const ge = groups.find((x) => x.name === g);
    if (!ge) throw invalidArgument(`unable to find group ${g}: no matching entries in group file`);
    return ge.gid;
  };

  let members: number[] = [];
  if (groupPart !== undefined && groupPart !== '') {
    gid = lookupGroup(groupPart);
  } else if (name !== undefined) {
    members = groups.filter((g) => g.members.includes(name!)).map((g) => g.gid);
  }
  // dockerd (20.10.18+) lists the primary group first among the supplementary ones, so `id`
  // shows it in groups= and a setgroups() inside cannot leave the process without it.
  let additionalGids = [gid, ...members];
  for (const g of groupAdd) additionalGids.push(lookupGroup(g));
  additionalGids = [...new Set(additionalGids)];
  return { uid, gid, additionalGids, home, ...(name !== undefined ? { name } : {}) };
}

export interface HostsInput {
  hostname: string;
  /** The container's address; loopback-only containers map their name to 127.0.1.1. */
  ip?: string;
  /** Its v6 address on a dual-stack network, named as the v4 one is (libnetwork's updateHostsFile writes a line per interface address). */
  ip6?: string;
  /** Container name and aliases, listed after the hostname. */
  aliases?: string[];
  /** `--add-host name:ip`. */
  extraHosts?: { name: string; ip: string }[];
  /** host.containers.internal → this address, when the network has a gateway. */
  gateway?: string;
}

export function generateHosts(input: HostsInput): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const h of input.extraHosts ?? []) lines.push(`${h.ip}\t${h.name}`);
  if (input.gateway) lines.push(`${input.gateway}\thost.containers.internal`);
  const names = [input.hostname, ...(input.aliases ?? []).filter((a) => a !== input.hostname)];
  lines.push(`${input.ip ?? '127.0.1.1'}\t${names.join(' ')}`);
  if (input.ip6) lines.push(`${input.ip6}\t${names.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** `--add-host name:ip` (IPv6 addresses keep their colons: split at the first one). */
export function parseAddHost(s: string): { name: string; ip: string } {
  const i = s.indexOf(':');
  if (i <= 0 || i === s.length - 1) throw invalidArgument(`invalid add-host ${JSON.stringify(s)}: expected name:ip`);
  return { name: s.slice(0, i), ip: s.slice(i + 1).replace(/^\[|\]$/g, '') };
}

export interface ResolvConfInput {
  /** The host's /etc/resolv.conf text. */
  host: string;
  /** The container has its own network namespace, where the host's loopback resolvers are unreachable. */
  privateNetns: boolean;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
}

/** Docker's fallback when nothing usable is left. */
export const FALLBACK_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

export function generateResolvConf(input: ResolvConfInput): string {
  let nameservers: string[] = [];
  let search: string[] = [];
  let options: string[] = [];
  for (const raw of input.host.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') search = rest;
    else if (key === 'options') options.push(...rest);
  }
  if (input.dns?.length) {
    nameservers = [...input.dns];
  } else if (input.privateNetns) {
    nameservers = nameservers.filter((n) => !isLoopback(n));
    if (nameservers.length === 0) nameservers = [...FALLBACK_NAMESERVERS];
  }
  // "--dns-search ." means: no search domains at all.
  if (input.dnsSearch?.length) search = input.dnsSearch.filter((s) => s !== '.');
  if (input.dnsOptions?.length) options = [...input.dnsOptions];
  const out: string[] = [];
  if (search.length) out.push(`search ${search.join(' ')}`);
  for (const n of nameservers) out.push(`nameserver ${n}`);
  if (options.length) out.push(`options ${options.join(' ')}`);
  return out.join('\n') + '\n';
}

export function generateHostname(hostname: string): string {
  return `${hostname}\n`;
}
