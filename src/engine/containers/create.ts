import { randomBytes } from '../../sys/random.js';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { alreadyExists, invalidArgument, notFound } from '../../core/errdefs.js';
import { writeTx, writeTxAsync } from '../../impl/metadata/db.js';
import { imageRecord, readConfig, readManifest } from '../images/read.js';
import type { EngineContext } from '../context.js';
import type { ImageRecord } from '../../impl/metadata/records.js';
import type { ImageConfig } from '../../core/images/oci.js';
import { isWasmImage, wantsWasm, WASM_RUNTIME } from '../../core/wasm/image.js';
import { resolveImage } from '../images/resolve.js';
import { planContainerNetwork } from '../networks/container-net.js';
import { findNetwork } from '../networks/store.js';
import { planVolumeMounts, recordContainerVolumes } from '../volumes/mounts.js';
import { clearStaleVolumeDir, removeIfUnused, volumeEvent } from '../volumes/ops.js';
import { removeLayersIfUnused } from '../gc.js';
import { withVolumeLock } from '../volumes/lock.js';
import { crashPoint } from '../../sys/crash-point.js';
import { lockedContainer } from './locked.js';
import type { ContainerContext } from './context.js';
import { checkCreateRequest } from './create-checks.js';
import { hideHostPaths } from './host-paths.js';
import { generateName, validName } from './names.js';
import { initialState } from './state.js';
import { logHost, resolveLogConfig } from './log-config.js';
import { containerEvent } from './events.js';
import { systemdConfig } from './sd-notify.js';
import type { ContainerConfigRecord, ContainerCreateRequest } from './types.js';
import { healthConfigFor } from './health-config.js';
import { resolveLinks } from './links.js';
import { resolveNamespaceJoins } from './ns-joins.js';
import { withVolumesFrom } from './volumes-from.js';

/** A WASM image, or a container whose own annotations ask for crun's WASM handler, runs as WASM. */
async function isWasmWorkload(ctx: EngineContext, img: ImageRecord, config: ImageConfig, annotations: Record<string, string> | undefined): Promise<boolean> {
  if (wantsWasm(annotations) || isWasmImage(config)) return true;
  const manifest = await readManifest(ctx, img).catch(() => undefined);
  return isWasmImage(config, (manifest as { annotations?: Record<string, string> } | undefined)?.annotations);
}

/**
 * `create`: a writable layer above the image's top layer and a row that remembers the request.
 * The layer row and the container row are written in one transaction, so GC never sees the
 * layer without its owner; the layer directory follows.
 */
export async function createContainer(cc: ContainerContext, input: ContainerCreateRequest): Promise<{ id: string; name: string; warnings: string[] }> {
  const ctx = cc.ctx;
  checkCreateRequest(cc, input);
  let req = resolveNamespaceJoins(cc, input.pod ? await (await import('../pods/join.js')).joinPod(cc, input) : input);
  const { id: imageId } = resolveImage(ctx.records, req.image);
  const img = imageRecord(ctx, imageId);
  const fullConfig = await readConfig(ctx, img);
  const imageConfig = fullConfig.config ?? {};
  if (req.name !== undefined && !validName(req.name)) {
    throw invalidArgument(`invalid container name "${req.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  const health = healthConfigFor(imageConfig.Healthcheck, req);
  const logConfig = resolveLogConfig(req.logConfig, ctx.config.containers, logHost());
  const exposed = { ...imageConfig.ExposedPorts, ...Object.fromEntries((req.exposedPorts ?? []).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])) };
  const net = planContainerNetwork(ctx, { ...req.networkOpts, network: req.network ?? 'bridge' }, exposed);
  const links = resolveLinks(cc, req.links, net.networkMode);
  const mounts = withVolumesFrom(cc, req.opts.mounts ?? [], req.volumesFrom, req.opts.tmpfs);
  makeBindSources(mounts);
  const runtime = req.runtime ?? ((await isWasmWorkload(ctx, img, fullConfig, req.opts.annotations)) ? WASM_RUNTIME : undefined);
  if (runtime) req = { ...req, runtime };
  const id = randomBytes(32).toString('hex');
  const layerId = ctx.newId();
  // Held from before the row exists until its layer and directories do: a `start` or `rm` by
  // name waits for a create in progress rather than finding half a container.
  return lockedContainer(cc, id, () => createLocked(cc, { ...req, opts: { ...req.opts, mounts } }, { id, layerId, imageId, img, imageConfig, logConfig, net, health, links }));
}

async function createLocked(
  cc: ContainerContext,
  req: ContainerCreateRequest,
  p: {
    id: string;
    layerId: string;
    imageId: string;
    img: ReturnType<typeof imageRecord>;
    imageConfig: ContainerConfigRecord['imageConfig'];
    logConfig: ContainerConfigRecord['logConfig'];
    net: ReturnType<typeof planContainerNetwork>;
    health: ReturnType<typeof healthConfigFor>;
    links: ContainerConfigRecord['links'];
  },
): Promise<{ id: string; name: string; warnings: string[] }> {
  const ctx = cc.ctx;
  const { id, layerId, imageId, img, imageConfig, logConfig, net, health, links } = p;
  let name = req.name ?? generateName();
  let config: ContainerConfigRecord;
  let madeVolumes: string[] = [];
  for (let attempt = 0; ; attempt++) {
    config = {
      image: req.image,
      imageId,
      name,
      opts: { ...req.opts, mounts: planVolumeMounts(req.opts.mounts, imageConfig.Volumes, req.opts.tmpfs) },
      imageConfig,
      autoRemove: !!req.autoRemove,
      stopTimeout: req.stopTimeout ?? 10,
      ...(req.runtime ? { runtime: req.runtime } : {}),
      ...net,
      ...(req.netFiles ? { netFiles: req.netFiles } : {}),
      ...(links ? { links } : {}),
      ...(req.exposedPorts?.length ? { exposedPorts: req.exposedPorts } : {}),
      ...(req.restartPolicy ? { restartPolicy: req.restartPolicy } : {}),
      logConfig,
      ...health,
      ...(req.stdinOnce ? { stdinOnce: true } : {}),
      ...systemdConfig(req),
      ...(req.volumesFrom?.length ? { volumesFrom: req.volumesFrom } : {}),
      ...(req.podMembership ? { pod: req.podMembership } : {}),
    };
    try {
      const volumes = await writeTxAsync(ctx.db, () => {
        // In the row's transaction: a `network rm` between the request's check and here is seen.
        for (const n of Object.keys(config.networks ?? {})) {
          if (n !== ctx.config.network.defaultNetwork && !findNetwork(ctx, n)) throw notFound(`network ${n} not found`);
        }
        ctx.records.insertLayer({ id: layerId, parent: img.topLayer, created: Date.now() });
        ctx.db.prepare('UPDATE layers SET complete = 1 WHERE id = ?').run(layerId);
        const row = { id, name, imageId, layerId, created: Date.now(), config, state: initialState() };
        // Throwing rolls the layer row back with the transaction.
        if (!cc.records.insert(row)) throw new NameTaken(name);
        return recordContainerVolumes(ctx, id, config.opts.mounts);
      });
      crashPoint('create:row');
      for (const v of volumes) {
        await withVolumeLock(ctx, v, () => clearStaleVolumeDir(ctx, v));
        volumeEvent(ctx, 'create', v, 'local');
      }
      madeVolumes = volumes;
      break;
    } catch (e) {
      if (!(e instanceof NameTaken)) throw e;
      if (req.name !== undefined || attempt > 20) throw nameConflict(cc, name);
      name = generateName();
    }
  }
  try {
    await ctx.driver.createAsync(layerId, img.topLayer);
    crashPoint('create:layer');
    mkdirSync(cc.paths(id).userdata, { recursive: true, mode: 0o700 });
  } catch (e) {
    await undoCreate(cc, id, layerId, madeVolumes);
    if (e instanceof Error) e.message = hideHostPaths(e.message, { root: ctx.root, runroot: ctx.runroot, rootfs: cc.paths(id).rootfs });
    throw e;
  }
  containerEvent(cc, { id, name, config }, 'create');
  return { id, name, warnings: [] };
}

class NameTaken extends Error {}

/** A create that failed after its row was written leaves nothing: row, layer, the volumes it made, directories. */
async function undoCreate(cc: ContainerContext, id: string, layerId: string, volumes: string[]): Promise<void> {
  writeTx(cc.ctx.db, () => cc.records.delete(id));
  removeLayersIfUnused(cc.ctx, [layerId]);
  await removeIfUnused(cc.ctx, volumes);
  try {
    rmSync(dirname(cc.paths(id).userdata), { recursive: true, force: true });
  } catch {
    // never made: what was in its way is not ours
  }
}

function makeBindSources(mounts: ContainerCreateRequest['opts']['mounts']): void {
  for (const m of mounts ?? []) {
    if (m.type === 'bind' && m.createSource && !existsSync(m.source)) mkdirSync(m.source, { recursive: true, mode: 0o755 });
  }
}

export function nameConflict(cc: ContainerContext, name: string) {
  const holder = cc.records.idByName(name) ?? '';
  return alreadyExists(
    `the container name "${name}" is already in use by ${holder}. You have to remove that container to be able to reuse that name`,
  );
}
