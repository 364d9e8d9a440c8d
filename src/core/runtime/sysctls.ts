/**
 * @module sysctls
 * Which sysctls a container may set: only those the kernel namespaces, and only when the
 * container owns that namespace (setting a net.* sysctl in the host's namespace would change
 * the host).
 */
import { invalidArgument } from '../errdefs.js';

const IPC_KEYS = new Set([
  'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax',
  'kernel.shmmni', 'kernel.shm_rmid_forced',
]);

export interface OwnedNamespaces {
  net: boolean;
  ipc: boolean;
  uts: boolean;
}

export function checkSysctl(name: string, own: OwnedNamespaces): void {
  const ns = name.startsWith('net.')
    ? 'net'
    : IPC_KEYS.has(name) || name.startsWith('fs.mqueue.')
      ? 'ipc'
      : name === 'kernel.domainname' || name === 'kernel.hostname'
        ? 'uts'
        : undefined;
  if (!ns) throw invalidArgument(`sysctl ${JSON.stringify(name)} is not allowed: it is not namespaced`);
  if (!own[ns]) {
    throw invalidArgument(`sysctl ${JSON.stringify(name)} cannot be set: the container shares its ${ns} namespace`);
  }
  if (name === 'kernel.hostname') throw invalidArgument('sysctl "kernel.hostname" is not allowed: use --hostname');
}

/**
 * Defaults apply only where their namespace is the container's own; user sysctls must be
 * settable and override defaults.
 */
export function buildSysctls(defaults: Record<string, string>, user: Record<string, string>, own: OwnedNamespaces): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(defaults)) {
    try {
      checkSysctl(k, own);
      out[k] = v;
    } catch {
      // A default that does not fit this container's namespaces is simply not applied.
    }
  }
  for (const [k, v] of Object.entries(user)) {
    checkSysctl(k, own);
    out[k] = v;
  }
  return out;
}
