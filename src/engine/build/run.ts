import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Writable } from 'node:stream';
import type { MountRequest } from '../../core/runtime/create-options.js';
import { EngineError, isEngineError } from '../../core/errdefs.js';
import { writeTx } from '../../impl/metadata/db.js';
import type { LayerRecord } from '../../impl/metadata/records.js';
import type { ContainerContext } from '../containers/context.js';
import { removeContainer, waitContainer } from '../containers/lifecycle.js';
import { startContainer } from '../containers/start.js';
import type { ContainerConfigRecord } from '../containers/types.js';
import { initialState } from '../containers/state.js';
import type { Lease } from '../images/lease.js';
import { planContainerNetwork } from '../networks/container-net.js';
import { crashPoint } from '../../sys/crash-point.js';
import { withVolumeLock } from '../volumes/lock.js';
import { planVolumeMounts, recordContainerVolumes } from '../volumes/mounts.js';
import { clearStaleVolumeDir, volumeEvent } from '../volumes/ops.js';
import { rawLayerChanges } from '../containers/layer-changes.js';
import { commitLayer, dropLayer, removeMountPoints } from './layer.js';
import type { BuildRunSettings } from './types.js';

export interface RunStepRequest {
  parent: LayerRecord | null;
  argv: string[];
  env: string[];
  workdir?: string;
  user?: string;
  /** none, host, bridge or a network name. */
  network: string;
  mounts: MountRequest[];
  /** The image's VOLUMEs: anonymous volumes during the command, so what it writes there is not kept (Docker's builder). */
  volumes?: string[];
  settings?: BuildRunSettings;
  onOutput: (stream: 'stdout' | 'stderr', data: Buffer) => void;
  signal?: AbortSignal;
}

/** A RUN command that exited non-zero, in the classic builder's words (clients match them). */
export class RunFailed extends EngineError {
  constructor(
    argv: string[],
    readonly exitCode: number,
  ) {
    super('FailedPrecondition', `The command '${argv.join(' ')}' returned a non-zero code: ${exitCode}`);
  }
}

function sink(stream: 'stdout' | 'stderr', onOutput: RunStepRequest['onOutput']): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      onOutput(stream, Buffer.from(chunk));
      cb();
    },
  });
}

/**
 * Runs one RUN instruction in a working container made through the container engine (its
 * rootfs, /etc files, network and OCI spec are those of `run`), streams its output, and turns
 * its writable layer into the step's image layer; undefined when the command changed nothing
 * (Docker's builder then records an empty layer). The container is gone afterwards either way.
 */
export async function runStep(cc: ContainerContext, lease: Lease, req: RunStepRequest): Promise<LayerRecord | undefined> {
  const ctx = cc.ctx;
  const id = randomBytes(32).toString('hex');
  const layerId = ctx.newId();
  const parentId = req.parent?.id ?? null;
  const net = planContainerNetwork(ctx, { network: req.network });
  const mounts = planVolumeMounts(req.mounts, Object.fromEntries((req.volumes ?? []).map((v) => [v, {}])));
  const norm = (p: string) => posix.normalize(p).replace(/(.)\/$/, '$1');
  const volumeDests = new Set(mounts.filter((m) => m.type === 'volume').map((m) => norm(m.destination)));
  const set = req.settings ?? {};
  const config: ContainerConfigRecord = {
    image: 'skiff-build',
    imageId: '',
    name: `skiff-build-${id.slice(0, 12)}`,
    opts: {
      command: req.argv,
      entrypoint: [''],
      env: req.env,
      ...(req.workdir ? { workdir: req.workdir } : {}),
      ...(req.user ? { user: req.user } : {}),
      mounts,
      ...(set.ulimits ? { ulimits: set.ulimits } : {}),
      ...(set.shmSize !== undefined ? { shmSize: set.shmSize } : {}),
      ...(set.resources ? { resources: set.resources } : {}),
    },
    imageConfig: {},
    autoRemove: false,
    stopTimeout: 0,
    ...net,
    ...(set.addHosts ? { netFiles: { addHosts: set.addHosts } } : {}),
    ...(ctx.locks.heldName('build') ? { build: ctx.locks.heldName('build') } : {}),
  };
  const volumes = writeTx(ctx.db, () => {
    ctx.records.insertLayer({ id: layerId, parent: parentId, created: Date.now() });
    ctx.db.prepare('UPDATE layers SET complete = 1 WHERE id = ?').run(layerId);
    cc.records.insert({ id, name: config.name, imageId: null, layerId, created: Date.now(), config, state: initialState() });
    return recordContainerVolumes(ctx, id, mounts);
  });
  crashPoint('build-run:row');
  let removing: Promise<void> | undefined;
  const remove = () =>
    (removing ??= removeContainer(cc, id, { force: true, volumes: true }).then(
      () => undefined,
      (e: unknown) => {
        if (!isEngineError(e, 'NotFound')) throw e;
      },
    ));
  const onAbort = () => void remove().catch(() => undefined);
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (const v of volumes) {
      await withVolumeLock(ctx, v, () => clearStaleVolumeDir(ctx, v));
      volumeEvent(ctx, 'create', v, 'local');
    }
    await ctx.driver.createAsync(layerId, parentId);
    const { attach } = await startContainer(cc, id, {
      attach: { stdout: sink('stdout', req.onOutput), stderr: sink('stderr', req.onOutput) },
      callerCleansUp: true,
    });
    crashPoint('build-run:started');
    const [code] = await Promise.all([waitContainer(cc, id), attach?.done]);
    crashPoint('build-run:exited');
    if (req.signal?.aborted) throw new EngineError('Canceled', 'build canceled');
    if (code !== 0) throw new RunFailed(req.argv, code);
    let destinations: string[] = [];
    try {
      const spec = JSON.parse(readFileSync(join(cc.paths(id).bundle, 'config.json'), 'utf8')) as { mounts?: { destination: string }[] };
      // A volume's mount point stays, as dockerd makes it in the container's layer.
      destinations = (spec.mounts ?? []).map((m) => m.destination).filter((d) => !volumeDests.has(norm(d)));
    } catch {
      // no bundle: nothing was mounted
    }
    removeMountPoints(cc, layerId, destinations);
    // The layer changes hands: the build's lease holds it before the container lets go.
    writeTx(ctx.db, () => {
      lease.layer(layerId);
      ctx.db.prepare('UPDATE containers SET layer_id = NULL WHERE id = ?').run(id);
    });
    await remove();
    const listed = await rawLayerChanges(cc, layerId);
    if (listed.changes.length === 0) {
      dropLayer(cc, layerId);
      return undefined;
    }
    return await commitLayer(cc, lease, req.parent, layerId, listed);
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    await remove();
  }
}
