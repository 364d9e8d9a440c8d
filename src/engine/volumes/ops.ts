/** create / inspect / list / rm / prune / usage over the `volumes` table and `<root>/volumes`. */
import { existsSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { conflict, internal, invalidArgument, notFound, notImplemented } from '../../core/errdefs.js';
import { monitorAlive, removeVolumeDir } from './data-mount.js';
import { validateLocalOptions } from './local-options.js';
import { writeTx, writeTxAsync } from '../../impl/metadata/db.js';
import { boolPruneFilter, pruneFilter } from '../prune-filter.js';
import type { EngineContext } from '../context.js';
import { directorySize } from './size.js';
import { withVolumeLock } from './lock.js';
import { crashPoint } from '../../sys/crash-point.js';
import {
  dataDir, deleteVolumeRow, getVolume, insertVolume, listVolumes, refCounts, volumeDir, volumeUsers,
  type VolumeRow, type VolumeUser,
} from './store.js';
import {
  ANONYMOUS_LABEL, type VolumeCreateOptions, type VolumeInspect, type VolumePruneOptions, type VolumePruneReport,
  type VolumeRemoveOptions, type VolumeSummary, type VolumeUsage,
} from './types.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function checkVolumeName(name: string): void {
  if (!NAME.test(name)) {
    throw invalidArgument(
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

export function anonymousName(): string {
  return randomBytes(32).toString('hex');
}

/** dockerd's LogVolumeEvent: the volume's name is the actor's ID; the driver its one attribute. */
export function volumeEvent(ctx: EngineContext, action: string, name: string, driver: string): void {
  ctx.events.emit({ Type: 'volume', Action: action, Actor: { ID: name, Attributes: { driver } } });
}

function toInspect(ctx: EngineContext, v: VolumeRow): VolumeInspect {
  return {
    CreatedAt: new Date(v.created).toISOString().replace(/\.\d+Z$/, 'Z'),
    Driver: v.driver,
    Labels: v.labels,
    Mountpoint: dataDir(ctx, v.name),
    Name: v.name,
    Options: v.options,
    Scope: 'local',
  };
}

/**
 * Writes the row (if new) then the directory. An existing volume is returned as it is, as
 * Docker does; only its driver must agree.
 */
export async function createVolume(ctx: EngineContext, o: VolumeCreateOptions = {}): Promise<VolumeInspect> {
  const driver = o.driver ?? 'local';
  if (driver !== 'local') throw notImplemented(`volume driver "${driver}" is not supported: only "local"`);
  const name = o.name ?? anonymousName();
  checkVolumeName(name);
  const options = o.options ?? {};
  validateLocalOptions(name, options);
  const labels = { ...(o.labels ?? {}), ...(o.name === undefined ? { [ANONYMOUS_LABEL]: '' } : {}) };
  // The options are kept, never acted on here: the mount is made at a container's start.
  const row: VolumeRow = { name, driver, created: Date.now(), labels, options, anonymous: o.name === undefined };
  const created = await withVolumeLock(ctx, name, () => {
    const dirExisted = existsSync(volumeDir(ctx, name));
    const created = writeTx(ctx.db, () => insertVolume(ctx, row));
    crashPoint('volume-create:row');
    try {
      if (created) clearStaleVolumeDir(ctx, name);
      ensureDataDir(ctx, name);
    } catch (e) {
      // A failed create leaves no volume behind: not the row, not a directory it made.
      if (created) {
        writeTx(ctx.db, () => deleteVolumeRow(ctx, name));
        try {
          if (!dirExisted) rmSync(volumeDir(ctx, name), { recursive: true, force: true });
        } catch {
          // nothing of ours there: a file stands where the volumes' directory should be
        }
      }
      throw internal(`create ${name}: cannot make the volume's directory (${(e as NodeJS.ErrnoException).code ?? 'error'})`, e);
    }
    return created;
  });
  if (created) volumeEvent(ctx, 'create', name, driver);
  return toInspect(ctx, getVolume(ctx, name) ?? row);
}

/**
 * A volume's row is deleted before its directory, so a directory found when the row is new
 * is what an interrupted `rm` left: the new volume must not inherit its files. Called holding
 * the volume's lock, right after the row was made.
 */
export function clearStaleVolumeDir(ctx: EngineContext, name: string): void {
  // Only a directory can be a volume's leftover: anything else in the way is not ours to remove.
  if (lstatSync(volumeDir(ctx, name), { throwIfNoEntry: false })?.isDirectory()) removeVolumeDir(ctx, name);
}

export function ensureDataDir(ctx: EngineContext, name: string): string {
  const dir = dataDir(ctx, name);
  mkdirSync(volumeDir(ctx, name), { recursive: true, mode: 0o701 });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}

export function inspectVolume(ctx: EngineContext, name: string): VolumeInspect {
  const v = getVolume(ctx, name);
  if (!v) throw notFound(`get ${name}: no such volume`);
  return toInspect(ctx, v);
}

function matchesLabels(values: string[] | undefined, labels: Record<string, string>, negate = false): boolean {
  if (!values?.length) return true;
  const has = (value: string) => {
    const eq = value.indexOf('=');
    const k = eq < 0 ? value : value.slice(0, eq);
    return Object.hasOwn(labels, k) && (eq < 0 || labels[k] === value.slice(eq + 1));
  };
  return negate ? !values.some(has) : values.every(has);
}

function boolFilter(values: string[] | undefined, key: string): boolean | undefined {
  if (!values?.length) return undefined;
  const t = values.some((v) => v === 'true' || v === '1');
  const f = values.some((v) => v === 'false' || v === '0');
  if (t === f) throw invalidArgument(`invalid filter '${key}=${values.join(',')}'`);
  return t;
}

const LIST_FILTERS = new Set(['name', 'label', 'label!', 'dangling', 'driver']);

/** `volume ls`: sorted by name; filters name (substring), label, label!, dangling, driver. */
export function listVolumeSummaries(ctx: EngineContext, filters: Map<string, string[]> = new Map()): VolumeSummary[] {
  for (const k of filters.keys()) if (!LIST_FILTERS.has(k)) throw invalidArgument(`invalid filter '${k}'`);
  const dangling = boolFilter(filters.get('dangling'), 'dangling');
  const counts = refCounts(ctx);
  return listVolumes(ctx)
    .map((v) => ({ ...toInspect(ctx, v), RefCount: counts.get(v.name) ?? 0, Anonymous: v.anonymous }))
    .filter((v) => {
      const names = filters.get('name');
      if (names?.length && !names.some((n) => v.Name.includes(n))) return false;
      const drivers = filters.get('driver');
      if (drivers?.length && !drivers.includes(v.Driver)) return false;
      if (dangling !== undefined && (v.RefCount === 0) !== dangling) return false;
      return matchesLabels(filters.get('label'), v.Labels) && matchesLabels(filters.get('label!'), v.Labels, true);
    });
}


/** Running by its row and its monitor still there (a row can lag behind an exit). */
function isRunning(u: VolumeUser): boolean {
  return ['running', 'paused', 'restarting'].includes(u.status) && monitorAlive(u.conmonPid);
}

/**
 * `volume rm`: refused while a container uses the volume; `force` overrides that only for
 * stopped containers (Docker never removes a volume from under a running one). The check and
 * the delete share one write transaction, so a concurrent `create` either sees no volume
 * (and makes it again) or is seen here.
 */
export async function removeVolume(ctx: EngineContext, name: string, o: VolumeRemoveOptions = {}): Promise<void> {
  // Docker fails at once on a volume in use; one whose lock is held is being filled by a start.
  const lock = ctx.locks.tryLock('volume', name);
  if (!lock) throw conflict(`remove ${name}: volume is in use by a container being started`);
  try {
    await removeVolumeLocked(ctx, name, o);
  } finally {
    lock.release({ unlink: !getVolume(ctx, name) });
  }
}

async function removeVolumeLocked(ctx: EngineContext, name: string, o: VolumeRemoveOptions): Promise<void> {
  const removed = await writeTxAsync(ctx.db, () => {
    if (!getVolume(ctx, name)) {
      if (o.force) return false;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = volumeUsers(ctx, name);
    if (users.length && (!o.force || users.some(isRunning))) {
      throw conflict(`remove ${name}: volume is in use - [${users.map((u) => u.id).join(', ')}]`);
    }
    deleteVolumeRow(ctx, name);
    return true;
  });
  if (!removed) return;
  crashPoint('volume-rm:row');
  removeVolumeDir(ctx, name);
  volumeEvent(ctx, 'destroy', name, 'local');
}

/** Deletes each volume that no container uses any more; for `rm -v` and prune. Returns bytes freed. */
export async function removeIfUnused(ctx: EngineContext, names: string[]): Promise<{ removed: string[]; bytes: number }> {
  const removed: string[] = [];
  let bytes = 0;
  for (const name of names) {
    const lock = ctx.locks.tryLock('volume', name);
    if (!lock) continue;
    try {
      if (await removeOneIfUnused(ctx, name, (b) => (bytes += b))) removed.push(name);
    } finally {
      lock.release({ unlink: !getVolume(ctx, name) });
    }
  }
  return { removed, bytes };
}

async function removeOneIfUnused(ctx: EngineContext, name: string, freed: (bytes: number) => void): Promise<boolean> {
  const gone = await writeTxAsync(ctx.db, () => {
    if (!getVolume(ctx, name) || volumeUsers(ctx, name).length) return false;
    deleteVolumeRow(ctx, name);
    return true;
  });
  if (!gone) return false;
  freed(await directorySize(dataDir(ctx, name)));
  removeVolumeDir(ctx, name);
  volumeEvent(ctx, 'destroy', name, 'local');
  return true;
}

/** `volume prune`: unused anonymous volumes, or every unused one with `all` (Docker ≥ 23). */
export async function pruneVolumes(ctx: EngineContext, o: VolumePruneOptions = {}): Promise<VolumePruneReport> {
  const f = pruneFilter('volumes', o.filters);
  const allFilter = boolPruneFilter(f, 'all');
  const all = o.all || allFilter === true;
  const candidates = listVolumeSummaries(ctx)
    .filter((v) => v.RefCount === 0 && (all || v.Anonymous || Object.hasOwn(v.Labels, ANONYMOUS_LABEL)))
    .filter((v) => f.labels(v.Labels))
    .map((v) => v.Name);
  const { removed, bytes } = await removeIfUnused(ctx, candidates);
  return { VolumesDeleted: removed, SpaceReclaimed: bytes };
}

/** For `system df`. */
export async function volumeUsage(ctx: EngineContext): Promise<VolumeUsage[]> {
  const counts = refCounts(ctx);
  const out: VolumeUsage[] = [];
  for (const v of listVolumes(ctx)) out.push({ Name: v.name, Size: await directorySize(dataDir(ctx, v.name)), RefCount: counts.get(v.name) ?? 0 });
  return out;
}
