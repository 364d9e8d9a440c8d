/**
 * Volumes made with the local driver's `type`/`device`/`o`: their filesystem is mounted on
 * `_data` when a container starts with it and none had it mounted, and unmounted when the last
 * container using it stops (moby volume/local's reference count). skiff has no daemon to keep a
 * count in memory, so the count is a set of marker files, `<runroot>/volume-users/<volume>/<id>`
 * (the run root goes with a reboot, as the mounts do), changed only under the volume's lock:
 * a start writes its container's marker before mounting; a release removes the marker of the
 * container it ends, then unmounts if no marker is left whose container runs or whose lock
 * another process holds (a start or a stop in progress, which settles the marker itself).
 * A marker whose container neither runs nor is locked is what a killed process left: dropped.
 * So whatever a kill leaves (a marker, a mount nobody uses) is undone by the next start, exit,
 * rm or `system check --repair` that looks.
 */
import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { internal } from '../../core/errdefs.js';
import { mountAll, mountFlags, unmount } from '../../sys/mount.js';
import type { SyscallError } from '../../sys/linux/syscalls.js';
import type { EngineContext } from '../context.js';
import { mountsInProcess, volumeMountSpec, type VolumeMountSpec } from './local-options.js';
import { withVolumeLock } from './lock.js';
import { containerVolumeNames, dataDir, getVolume, volumeDir, volumeUsers } from './store.js';

/** Mount points at or below `dir`, deepest first. */
export function mountsBelow(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
}

function isMountPoint(path: string): boolean {
  return mountsBelow(path).includes(path);
}

/** Whether `pid` is still a conmon (a container's monitor, alive while the container runs). */
export function monitorAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'conmon';
  } catch {
    return false;
  }
}

const usersDir = (ctx: EngineContext, name: string) => join(ctx.runroot, 'volume-users', name);

function markers(ctx: EngineContext, name: string): string[] {
  try {
    return readdirSync(usersDir(ctx, name)).filter((f) => /^[0-9a-f]{64}$/.test(f));
  } catch {
    return [];
  }
}

/**
 * Runs `fn` if this call chain may settle the container's marker: it holds the container's lock,
 * or nobody does (the container's own process is gone). Else the lock's holder settles it.
 */
function asOwner(ctx: EngineContext, id: string, fn: () => void): boolean {
  if (ctx.locks.heldHere('container', id)) {
    fn();
    return true;
  }
  const l = ctx.locks.tryLock('container', id);
  if (!l) return false;
  try {
    fn();
  } finally {
    l.release();
  }
  return true;
}

/**
 * Whether some container needs the volume mounted, dropping markers whose container neither runs
 * nor is being worked on. Called holding the volume's lock.
 */
export function inUse(ctx: EngineContext, name: string): boolean {
  const running = new Set(
    volumeUsers(ctx, name)
      .filter((u) => (u.status === 'running' || u.status === 'paused') && monitorAlive(u.conmonPid))
      .map((u) => u.id),
  );
  let used = false;
  for (const id of markers(ctx, name)) {
    if (running.has(id)) {
      used = true;
      continue;
    }
    if (!asOwner(ctx, id, () => rmSync(join(usersDir(ctx, name), id), { force: true }))) used = true;
  }
  return used;
}

/** dockerd's wording: "mount SRC:TARGET, flags: 0x1000, data: size=1m: no such file or directory". */
function mountError(target: string, detail: string, cause?: unknown): Error {
  return internal(`error while mounting volume '${target}': failed to mount local volume: ${detail}`, cause);
}

function mountInProcess(target: string, s: VolumeMountSpec): void {
  try {
    mountAll([{ type: s.type === 'none' ? 'bind' : s.type, source: s.device, options: s.options }], target);
  } catch (e) {
    const err = e as SyscallError;
    const flags = mountFlags(s.options);
    const data = s.options.filter((o) => mountFlags([o]) === 0).join(',');
    const text = err.code ? err.message.replace(/^[A-Z]+: ([^,]*),.*$/, '$1') : err.message;
    throw mountError(target, `mount ${s.device}:${target}${flags ? `, flags: 0x${flags.toString(16)}` : ''}${data ? `, data: ${data}` : ''}: ${text}`, e);
  }
}

/**
 * nfs and cifs take the server's address as `addr=`; the kernel wants an IPv4 address there, so a
 * name is resolved first, as dockerd does (its first IPv4 address).
 */
async function resolveAddr(target: string, s: VolumeMountSpec): Promise<VolumeMountSpec> {
  if (s.type !== 'nfs' && s.type !== 'cifs') return s;
  const i = s.options.findIndex((o) => o.startsWith('addr='));
  const host = i < 0 ? '' : s.options[i]!.slice(5);
  if (!host || isIPv4(host)) return s;
  let address: string;
  try {
    ({ address } = await lookup(host, { family: 4 }));
  } catch (e) {
    throw mountError(target, `error resolving passed in network volume address: ${(e as Error).message}`, e);
  }
  return { ...s, options: s.options.map((o, k) => (k === i ? `addr=${address}` : o)) };
}

/** mount(8) in a child: a network or block filesystem may take its time, the event loop must not wait. */
async function mountInChild(target: string, spec: VolumeMountSpec): Promise<void> {
  const s = await resolveAddr(target, spec);
  const args = ['-t', s.type, ...(s.options.length ? ['-o', s.options.join(',')] : []), '--source', s.device, '--target', target];
  return new Promise((resolve, reject) => {
    const p = spawn('mount', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', (e) => reject(mountError(target, `mount ${s.device}:${target}: ${e.message}`, e)));
    p.on('close', (code) =>
      code === 0 ? resolve() : reject(mountError(target, `mount ${s.device}:${target}: ${err.trim() || `mount exited with ${code}`}`)),
    );
  });
}

/** Called holding the volume's lock, at a container's start: mounts the volume's filesystem unless it is mounted. */
export async function mountVolumeData(ctx: EngineContext, name: string, containerId: string): Promise<void> {
  const spec = volumeMountSpec(getVolume(ctx, name)?.options ?? {});
  const target = dataDir(ctx, name);
  if (!spec) return;
  mkdirSync(usersDir(ctx, name), { recursive: true, mode: 0o700 });
  writeFileSync(join(usersDir(ctx, name), containerId), '');
  if (isMountPoint(target)) return;
  if (mountsInProcess(spec)) mountInProcess(target, spec);
  else await mountInChild(target, spec);
}

/** Unmounts the volume's filesystem if no container needs it. Called holding the volume's lock. */
export function releaseIfUnused(ctx: EngineContext, name: string): boolean {
  const target = dataDir(ctx, name);
  if (!isMountPoint(target) || inUse(ctx, name)) return false;
  // Lazy: a process still inside (a `cp`) must not make the container's cleanup fail.
  unmount(target, { detach: true });
  return true;
}

/**
 * After a container stopped (or failed to start): its marker goes (unless another process holds
 * its lock: that one settles it), and its volumes that nobody else uses are unmounted.
 */
export async function releaseVolumeMounts(ctx: EngineContext, containerId: string): Promise<void> {
  for (const name of containerVolumeNames(ctx, containerId)) {
    if (!volumeMountSpec(getVolume(ctx, name)?.options ?? {}) && !isMountPoint(dataDir(ctx, name))) continue;
    await withVolumeLock(ctx, name, () => {
      asOwner(ctx, containerId, () => rmSync(join(usersDir(ctx, name), containerId), { force: true }));
      releaseIfUnused(ctx, name);
    });
  }
}

/**
 * Where a copy into or out of a stopped container finds the volume's files: `_data` itself, or
 * for a bind volume not mounted now its host directory; undefined for a tmpfs or another
 * filesystem nobody has mounted (it holds nothing a copy could see, as a stopped container's
 * `--tmpfs`; a copy does not mount an nfs or a device for itself).
 */
export function volumeFilesAt(ctx: EngineContext, name: string): string | undefined {
  const spec = volumeMountSpec(getVolume(ctx, name)?.options ?? {});
  const data = dataDir(ctx, name);
  if (!spec || isMountPoint(data)) return data;
  return spec.options.includes('bind') || spec.options.includes('rbind') ? spec.device : undefined;
}

/** The volume's mounted filesystem, if any, for `system check`. */
export function volumeMounted(ctx: EngineContext, name: string): boolean {
  return isMountPoint(dataDir(ctx, name));
}

/**
 * Removes a volume's directory, unmounting first what is mounted in it: a recursive remove
 * must never go through a bind into the host directory the volume names (its files are the
 * user's) or into an nfs export.
 */
export function removeVolumeDir(ctx: EngineContext, name: string): void {
  const dir = volumeDir(ctx, name);
  for (const m of mountsBelow(dir)) unmount(m, { detach: true });
  const left = mountsBelow(dir);
  if (left.length) throw internal(`remove ${name}: ${left[0]} is still mounted; the volume's directory is kept`);
  rmSync(dir, { recursive: true, force: true });
  rmSync(usersDir(ctx, name), { recursive: true, force: true });
}
