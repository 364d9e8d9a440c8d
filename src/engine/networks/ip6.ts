/**
 * @module engine/networks/ip6
 * IPv6 arithmetic for a network's v6 subnet and its containers' v6 addresses (bigint: 128 bits).
 */
import { isIPv6 } from 'node:net';
import { invalidArgument } from '../../core/errdefs.js';

export function ip6ToBig(ip: string): bigint {
  if (!isIPv6(ip) || ip.includes('.') || ip.includes('%')) throw invalidArgument(`invalid IPv6 address "${ip}"`);
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** RFC 5952 text: lower case, the longest run of two or more zero groups as `::`. */
export function bigToIp6(n: bigint): string {
  const g = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(16 * (7 - i))) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export interface Cidr6 {
  base: bigint;
  prefix: number;
}

export function isCidr6(s: string): boolean {
  return s.includes(':');
}

export function parseCidr6(s: string): Cidr6 {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(s);
  if (!m || Number(m[2]) > 128 || !isIPv6(m[1]!)) throw invalidArgument(`invalid subnet "${s}": want an IPv6 prefix like fd00:1::/64`);
  const prefix = Number(m[2]);
  const hostBits = BigInt(128 - prefix);
  return { base: (ip6ToBig(m[1]!) >> hostBits) << hostBits, prefix };
}

export function cidr6String(c: Cidr6): string {
  return `${bigToIp6(c.base)}/${c.prefix}`;
}

export function contains6(c: Cidr6, ip: bigint): boolean {
  return ip >> BigInt(128 - c.prefix) === c.base >> BigInt(128 - c.prefix);
}

export function overlaps6(a: Cidr6, b: Cidr6): boolean {
  const p = BigInt(128 - Math.min(a.prefix, b.prefix));
  return a.base >> p === b.base >> p;
}
