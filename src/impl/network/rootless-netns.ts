/**
 * @module impl/network/rootless-netns
 * The network namespace in which a rootless user's bridge networks live (Podman 4's "rootless
 * netns"): a user has no bridge, veth or firewall rule on the host, so netavark runs inside this
 * namespace (owned by the user's namespace, so they may do all of it there) and treats it as its
 * host. slirp4netns gives it outbound access through the user's own sockets. One per user, kept
 * by a bind mount in the user's mount namespace (so it lives as long as the pause process) and
 * made again, with its slirp4netns, by the first start that finds it gone.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { failedPrecondition } from '../../core/errdefs.js';
import { openLockFile, tryFlock, unlockAndClose } from '../../sys/flock.js';
import { createNetnsAt, removeNetnsAt } from './netns.js';
import { slirp4netnsAlive, startSlirp4netns, stopSlirp4netns } from './slirp4netns.js';

const NSFS_MAGIC = 0x6e736673;

export interface RootlessNetnsPaths {
  /** The namespace's bind mount. */
  netns: string;
  dir: string;
  /** Its slirp4netns's API: published ports of containers on the user's networks are its listeners. */
  apiSocket: string;
}

export function rootlessNetnsPaths(runroot: string): RootlessNetnsPaths {
  const dir = join(runroot, 'rootless-netns');
  return { netns: join(runroot, 'netns', 'rootless-netns'), dir, apiSocket: join(dir, 'slirp4netns.sock') };
}

function isNamespace(path: string): boolean {
  try {
    return statfsSync(path).type === NSFS_MAGIC;
  } catch {
    return false;
  }
}

function recordedPid(dir: string): number {
  try {
    return Number(readFileSync(join(dir, 'slirp4netns.pid'), 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/** The namespace's path, making it (and its slirp4netns) when it is not there or lost its link out. */
export async function ensureRootlessNetns(runroot: string): Promise<string> {
  const p = rootlessNetnsPaths(runroot);
  if (isNamespace(p.netns) && slirp4netnsAlive(recordedPid(p.dir), p.netns)) return p.netns;
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  const fd = openLockFile(join(p.dir, 'lock'));
  try {
    for (let i = 0; !tryFlock(fd); i++) {
      if (i > 1200) throw failedPrecondition(`the rootless network namespace is being made by another process for too long (${p.dir}/lock)`);
      await delay(50);
    }
    if (!isNamespace(p.netns)) {
      await removeNetnsAt(p.netns);
      await createNetnsAt(p.netns);
    }
    if (!slirp4netnsAlive(recordedPid(p.dir), p.netns)) {
      rmSync(p.apiSocket, { force: true });
      const pid = await startSlirp4netns({ netns: p.netns, apiSocket: p.apiSocket, logFile: join(p.dir, 'slirp4netns.log'), mtu: 65520, allowHostLoopback: false, sandbox: true });
      const tmp = join(p.dir, `slirp4netns.pid.${process.pid}`);
      writeFileSync(tmp, `${pid}\n`);
      renameSync(tmp, join(p.dir, 'slirp4netns.pid'));
    }
    return p.netns;
  } finally {
    unlockAndClose(fd);
  }
}

/**
 * Stops its slirp4netns and removes it, unless `inUse` says (under the lock that its making
 * holds too) that an attachment was recorded meanwhile.
 */
export async function removeRootlessNetns(runroot: string, inUse: () => boolean = () => false): Promise<void> {
  const p = rootlessNetnsPaths(runroot);
  if (!existsSync(p.dir)) return;
  const fd = openLockFile(join(p.dir, 'lock'));
  try {
    for (let i = 0; !tryFlock(fd); i++) {
      if (i > 1200) return;
      await delay(50);
    }
    if (inUse()) return;
    await stopSlirp4netns(recordedPid(p.dir), p.netns);
    for (const f of ['slirp4netns.pid', 'slirp4netns.sock', 'slirp4netns.log']) rmSync(join(p.dir, f), { force: true });
    await removeNetnsAt(p.netns);
  } finally {
    unlockAndClose(fd);
  }
}
