/**
 * @module capabilities
 * Linux capability names and the `--cap-add/--cap-drop` arithmetic Podman applies.
 */
import { invalidArgument } from '../errdefs.js';

/** Every capability, indexed by its number: ALL_CAPABILITIES[n] is bit n of CapEff. */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

const KNOWN = new Set<string>(ALL_CAPABILITIES);

/** The capabilities this kernel knows (`lastCap` from /proc/sys/kernel/cap_last_cap). */
export function allCapabilities(lastCap = ALL_CAPABILITIES.length - 1): string[] {
  return ALL_CAPABILITIES.slice(0, lastCap + 1);
}

/** `net_admin`, `NET_ADMIN` and `CAP_NET_ADMIN` all name CAP_NET_ADMIN; `all` is ALL. */
export function normalizeCapability(name: string): string {
  const up = name.trim().toUpperCase();
  if (up === 'ALL') return 'ALL';
  const full = up.startsWith('CAP_') ? up : `CAP_${up}`;
  if (!KNOWN.has(full)) throw invalidArgument(`unknown capability ${JSON.stringify(name)}`);
  return full;
}

/**
 * Podman's MergeCapabilities: drop ALL empties the base before adds apply; add ALL grants
 * everything except explicit drops; adding and dropping the same capability is an error.
 */
export function mergeCapabilities(base: string[], add: string[] = [], drop: string[] = [], lastCap?: number): string[] {
  const adds = add.map(normalizeCapability);
  const drops = drop.map(normalizeCapability);
  for (const a of adds) {
    if (a !== 'ALL' && drops.includes(a)) throw invalidArgument(`capability ${a} is both added and dropped`);
  }
  const all = allCapabilities(lastCap);
  const dropAll = drops.includes('ALL');
  if (adds.includes('ALL')) {
    if (dropAll) throw invalidArgument('adding and dropping all capabilities at once is not allowed');
    return all.filter((c) => !drops.includes(c));
  }
  const start = dropAll ? [] : base.map(normalizeCapability).filter((c) => !drops.includes(c));
  const out = [...start];
  for (const a of adds) if (!out.includes(a)) out.push(a);
  return sortCapabilities(out);
}

/** Kernel order, so specs compare equal however the flags were ordered. */
export function sortCapabilities(caps: string[]): string[] {
  const idx = (c: string) => (ALL_CAPABILITIES as readonly string[]).indexOf(c);
  return [...new Set(caps)].sort((a, b) => idx(a) - idx(b));
}

/** The CapEff/CapBnd bitmask /proc/<pid>/status shows for these capabilities. */
export function capabilityMask(caps: string[]): bigint {
  let m = 0n;
  for (const c of caps) {
    const i = (ALL_CAPABILITIES as readonly string[]).indexOf(c);
    if (i < 0) throw invalidArgument(`unknown capability ${c}`);
    m |= 1n << BigInt(i);
  }
  return m;
}
