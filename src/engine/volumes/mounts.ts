/**
 * Volumes as containers use them: named at create (anonymous ones get an ID, the image's
 * VOLUMEs become anonymous volumes), recorded with the container row, and at start turned into
 * binds of their data directories after copy-up.
 */
import { posix } from 'node:path';
import type { MountRequest, VolumeMountRequest } from '../../core/runtime/create-options.js';
import { internal } from '../../core/errdefs.js';
import { crashPoint } from '../../sys/crash-point.js';
import { writeTx } from '../../impl/metadata/db.js';
import type { EngineContext } from '../context.js';
import { copyUp } from './copy-up.js';
import { mountVolumeData } from './data-mount.js';
import { validateLocalOptions } from './local-options.js';
import { withVolumeLock } from './lock.js';
import { anonymousName, checkVolumeName, clearStaleVolumeDir, ensureDataDir, volumeEvent } from './ops.js';
import { containerVolumeNames, getVolume, insertContainerVolume, insertVolume } from './store.js';
import { ANONYMOUS_LABEL } from './types.js';

function norm(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/$/, '') : n;
}

/**
 * The mounts a container is created with: every volume named, plus an anonymous volume for
 * each image VOLUME that no mount or `--tmpfs` of the request covers (Docker's create).
 */
export function planVolumeMounts(
  mounts: MountRequest[] | undefined,
  imageVolumes: Record<string, object> | undefined,
  tmpfs: readonly string[] = [],
): MountRequest[] {
  const out = (mounts ?? []).map((m): MountRequest => {
    if (m.type !== 'volume') return m;
    if (m.name === undefined) return { ...m, name: anonymousName(), anonymous: true };
    checkVolumeName(m.name);
    return m;
  });
  const taken = new Set([...out.map((m) => m.destination), ...tmpfs.map((t) => t.split(':')[0]!)].map(norm));
  for (const path of Object.keys(imageVolumes ?? {})) {
    if (!path.startsWith('/') || taken.has(norm(path))) continue;
    taken.add(norm(path));
    out.push({ type: 'volume', name: anonymousName(), anonymous: true, destination: path, options: [] });
  }
  return out;
}

function volumeMounts(mounts: readonly MountRequest[] | undefined): (VolumeMountRequest & { name: string })[] {
  return (mounts ?? []).filter((m): m is VolumeMountRequest & { name: string } => m.type === 'volume' && m.name !== undefined);
}

/** True when the volume was made here. */
function ensureRow(ctx: EngineContext, m: VolumeMountRequest & { name: string }): boolean {
  // Docker creates a named volume on first use.
  return insertVolume(ctx, {
    name: m.name,
    driver: 'local',
    created: Date.now(),
    labels: { ...(m.labels ?? {}), ...(m.anonymous ? { [ANONYMOUS_LABEL]: '' } : {}) },
    options: m.volumeOptions ?? {},
    anonymous: !!m.anonymous,
  });
}

/**
 * Inside the container's create transaction: the volumes it needs and its references to them.
 * Returns the volumes it made, whose `create` events the caller records once the transaction committed.
 */
export function recordContainerVolumes(ctx: EngineContext, containerId: string, mounts: readonly MountRequest[] | undefined): string[] {
  const created: string[] = [];
  for (const m of volumeMounts(mounts)) {
    // Checked as `volume create -o` checks them, only for a volume this makes: dockerd ignores
    // them, valid or not, when the volume exists (measured, 20.10).
    if (m.volumeOptions && !getVolume(ctx, m.name)) validateLocalOptions(m.name, m.volumeOptions);
    if (ensureRow(ctx, m)) created.push(m.name);
    insertContainerVolume(ctx, containerId, norm(m.destination), m.name);
  }
  return created;
}

/**
 * At start, with the rootfs mounted: volumes removed with `volume rm -f` since create are made
 * again, those with mount options mounted, empty ones filled from the image, and each becomes
 * a bind of its data dir. The caller holds the container's lock until the container runs or
 * the start is undone (`releaseVolumeMounts`): other processes see the volume as in use meanwhile.
 */
export async function prepareVolumeMounts(
  ctx: EngineContext,
  containerId: string,
  mounts: readonly MountRequest[] | undefined,
  rootfs: string,
): Promise<MountRequest[]> {
  const out: MountRequest[] = [];
  for (const m of mounts ?? []) {
    if (m.type !== 'volume') {
      out.push(m);
      continue;
    }
    if (m.name === undefined) throw internal(`volume at ${m.destination} was never named`);
    const name = m.name;
    const named = { ...m, name };
    const options = m.options ?? [];
    const data = await withVolumeLock(ctx, name, async () => {
      // Options unchecked at create (the volume existed then, and was removed since) are checked now.
      if (!getVolume(ctx, name) && m.volumeOptions) validateLocalOptions(name, m.volumeOptions);
      if (!getVolume(ctx, name) && writeTx(ctx.db, () => ensureRow(ctx, named))) {
        clearStaleVolumeDir(ctx, name);
        volumeEvent(ctx, 'create', name, 'local');
      }
      const data = ensureDataDir(ctx, name);
      // A volume with a filesystem of its own (tmpfs, a bind of a host path, nfs) is mounted on
      // `_data` before the copy-up, which then fills that filesystem, as dockerd's does.
      await mountVolumeData(ctx, name, containerId);
      crashPoint('start:volume-mounted');
      if (!options.includes('nocopy')) await copyUp(rootfs, m.destination, data);
      return data;
    });
    out.push({ type: 'bind', source: data, destination: m.destination, options: options.filter((o) => o !== 'nocopy') });
  }
  return out;
}

/** Anonymous volumes the container mounts (for `rm -v` and `--rm`), read before its row goes. */
export function anonymousVolumesOf(ctx: EngineContext, containerId: string): string[] {
  return containerVolumeNames(ctx, containerId).filter((n) => getVolume(ctx, n)?.anonymous);
}
