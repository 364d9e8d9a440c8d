/**
 * @module impl/network/netns
 * Named network namespaces, made the way `ip netns add` makes them (a bind mount of a fresh
 * namespace at /run/netns/NAME), so the namespace outlives the container's processes until
 * netavark has torn it down.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { internal } from '../../core/errdefs.js';
import { deleteNetns, makeNetns } from '../../sys/linux/netns.js';

// Made on first call: reading execFile at load time would load child_process for every verb.
const exec = (file: string, args: readonly string[]) => promisify(execFile)(file, args);
export const NETNS_DIR = '/run/netns';

export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

export async function createNetns(name: string): Promise<string> {
  try {
    makeNetns(NETNS_DIR, netnsPath(name));
  } catch (e) {
    throw internal(`creating network namespace ${name}: ${(e as Error).message}`, e);
  }
  return netnsPath(name);
}

/** Idempotent: a namespace that is already gone is fine. */
export async function removeNetns(name: string): Promise<void> {
  try {
    deleteNetns(netnsPath(name));
  } catch (e) {
    throw internal(`removing network namespace ${name}: ${(e as Error).message}`, e);
  }
}

/**
 * A network namespace kept by a bind mount at `path` (not under /run/netns, which only root may
 * write): a rootless user's, made inside their user + mount namespace, which owns it.
 */
export async function createNetnsAt(path: string): Promise<string> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  try {
    await exec('unshare', [`--net=${path}`, 'true']);
    await exec('nsenter', [`--net=${path}`, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (e) {
    await removeNetnsAt(path);
    throw internal(`creating network namespace ${path}: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`, e);
  }
  return path;
}

/** Idempotent, as removeNetns. */
export async function removeNetnsAt(path: string): Promise<void> {
  if (!existsSync(path)) return;
  await exec('umount', [path]).catch(() => undefined);
  rmSync(path, { force: true });
}

export interface IdRange {
  containerID: number;
  hostID: number;
  size: number;
}

/**
 * A network namespace owned by a new user namespace, both kept by bind mounts. A container
 * with its own user namespace must join that one too: a user namespace cannot mount sysfs,
 * set net sysctls or (runc exec) enter a network namespace that the host's owns.
 */
export async function createNetnsInUserns(name: string, usernsFile: string, uid: IdRange, gid: IdRange): Promise<string> {
  const path = netnsPath(name);
  for (const f of [path, usernsFile]) {
    mkdirSync(dirname(f), { recursive: true });
    closeSync(openSync(f, 'a'));
  }
  // unshare(1)'s --map-users goes through newuidmap and /etc/subuid; root writes the maps itself.
  const helper = spawn('unshare', ['--user', '--net', 'sleep', 'infinity'], { stdio: 'ignore' });
  try {
    const self = readlinkSync('/proc/self/ns/user');
    const deadline = Date.now() + 10_000;
    while (readlinkOr(`/proc/${helper.pid}/ns/user`) === self || readlinkOr(`/proc/${helper.pid}/ns/user`) === '') {
      if (Date.now() > deadline || helper.exitCode !== null) throw new Error('unshare did not start');
      await delay(2);
    }
    writeFileSync(`/proc/${helper.pid}/uid_map`, `${uid.containerID} ${uid.hostID} ${uid.size}\n`);
    writeFileSync(`/proc/${helper.pid}/gid_map`, `${gid.containerID} ${gid.hostID} ${gid.size}\n`);
    await exec('mount', ['--bind', `/proc/${helper.pid}/ns/user`, usernsFile]);
    await exec('mount', ['--bind', `/proc/${helper.pid}/ns/net`, path]);
    await exec('nsenter', [`--net=${path}`, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (e) {
    await removeUserns(usernsFile);
    await exec('umount', [path]).catch(() => undefined);
    rmSync(path, { force: true });
    throw internal(`creating network namespace ${name}: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`, e);
  } finally {
    helper.kill('SIGKILL');
  }
  return path;
}

function readlinkOr(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '';
  }
}

export async function removeUserns(file: string): Promise<void> {
  if (!existsSync(file)) return;
  await exec('umount', [file]).catch(() => undefined);
  rmSync(file, { force: true });
}

/** One more address on an interface inside the namespace (`--link-local-ip`). */
export async function addAddress(netns: string, iface: string, cidr: string): Promise<void> {
  try {
    const brd = cidr.includes(':') ? [] : ['brd', '+'];
    await exec('nsenter', [`--net=${netns}`, 'ip', 'addr', 'add', cidr, ...brd, 'dev', iface]);
  } catch (e) {
    throw internal(`setting interface ${iface} link local IP ${cidr}: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`, e);
  }
}
