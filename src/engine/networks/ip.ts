/**
 * @module engine/networks/ip
 * IPv4 arithmetic for subnets and address allocation.
 */
import { invalidArgument } from '../../core/errdefs.js';

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw invalidArgument(`invalid IPv4 address "${ip}"`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  /** Network address as an integer. */
  base: number;
  prefix: number;
  size: number;
}

export function parseCidr(s: string): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s);
  if (!m || Number(m[2]) > 32) throw invalidArgument(`invalid subnet "${s}": want A.B.C.D/N`);
  const prefix = Number(m[2]);
  const size = 2 ** (32 - prefix);
  const base = Math.floor(ipToInt(m[1]!) / size) * size;
  return { base, prefix, size };
}

export function cidrString(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}

export function contains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + c.size;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** Usable host addresses (not the network or broadcast address), optionally within an --ip-range. */
export function hostRange(subnet: Cidr, ipRange?: Cidr): { first: number; last: number } {
  let first = subnet.base + 1;
  let last = subnet.base + subnet.size - 2;
  if (ipRange) {
    first = Math.max(first, ipRange.base);
    last = Math.min(last, ipRange.base + ipRange.size - 1);
  }
  return { first, last };
}
