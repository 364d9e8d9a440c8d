import type { Readable } from 'node:stream';
import { timeSlicer } from '../../core/time-slice.js';
import { closeSync, lstatSync } from 'node:fs';
import { posix } from 'node:path';
import { RootDir, fdPath } from '../../impl/rooted/root-dir.js';
import { MediaType, hostPlatform, type HistoryEntry, type ImageConfig, type ImageRunConfig } from '../../core/images/oci.js';
import { formatReference, normalizeReference } from '../../core/images/reference.js';
import { commandArgs, mergeEnv } from '../../core/runtime/command.js';
import { failedPrecondition, internal } from '../../core/errdefs.js';
import type { LayerRecord } from '../../impl/metadata/records.js';
import { writeTx } from '../../impl/metadata/db.js';
import { applyChanges } from '../images/changes.js';
import { commitImage, retryOnLostRace } from '../images/commit.js';
import { ensureLayer } from '../images/layer-apply.js';
import { Lease } from '../images/lease.js';
import { readConfig } from '../images/read.js';
import type { ContainerContext } from './context.js';
import { layerChanges, type LayerChange } from './layer-changes.js';
import { withContainer } from './locked.js';
import { TreeTar } from './tree-tar.js';
import type { ContainerRecord } from './types.js';

export interface CommitOptions {
  /** The new image's name (`REPOSITORY[:TAG]`); none leaves it untagged. */
  reference?: string;
  /** Dockerfile instructions applied to the config (`--change`). */
  changes?: string[];
  message?: string;
  author?: string;
  /** Pause the container while its layer is read (default true, as Docker). */
  pause?: boolean;
}

/**
 * The writable layer as an image layer tar: an overlay whiteout becomes a `.wh.NAME` entry and
 * an opaque directory gets `.wh..wh..opq`. Parents always precede their children.
 */
export function layerTar(changes: LayerChange[], source: string): Readable {
  const t = new TreeTar();
  // Read inside the layer directory: a running container may have swapped a changed
  // directory for a symlink since the changes were listed.
  const root = RootDir.open(source);
  const slice = timeSlicer();
  void (async () => {
    for (const ch of changes) {
      await slice();
      if (ch.kind === 'D') {
        const i = ch.path.lastIndexOf('/');
        await t.addEmpty(i < 0 ? `.wh.${ch.path}` : `${ch.path.slice(0, i)}/.wh.${ch.path.slice(i + 1)}`);
        continue;
      }
      const parent = root.tryOpen(posix.dirname(ch.path), { dir: true });
      if (parent === undefined) continue;
      try {
        const at = fdPath(parent, posix.basename(ch.path));
        const st = lstatSync(at, { throwIfNoEntry: false });
        if (!st) continue;
        await t.addNode(at, ch.path, st);
      } finally {
        closeSync(parent);
      }
      if (ch.opaque) await t.addEmpty(`${ch.path}/.wh..wh..opq`);
    }
    t.finish();
  })()
    .catch((e: unknown) => t.abort(e instanceof Error ? e : new Error(String(e))))
    .finally(() => root.close());
  return t.stream;
}

/** The run config Docker commits: the container's effective Cmd, Entrypoint, Env … over the image's. */
function runConfig(c: ContainerRecord): ImageRunConfig {
  const ic = c.config.imageConfig;
  const o = c.config.opts;
  const out: ImageRunConfig = { ...ic };
  const env = mergeEnv(ic.Env, o.env);
  if (env.length) out.Env = env;
  if (o.entrypoint !== undefined) {
    out.Entrypoint = o.entrypoint.length === 1 && o.entrypoint[0] === '' ? null : o.entrypoint;
    out.Cmd = o.command?.length ? o.command : null;
  } else if (o.command?.length) {
    out.Cmd = o.command;
  }
  if (o.workdir) out.WorkingDir = o.workdir;
  if (o.user) out.User = o.user;
  if (o.stopSignal) out.StopSignal = o.stopSignal;
  if (o.labels && Object.keys(o.labels).length) out.Labels = { ...(ic.Labels ?? {}), ...o.labels };
  return out;
}

function ancestry(cc: ContainerContext, top: string | null): LayerRecord[] {
  const out: LayerRecord[] = [];
  for (let id = top; id; ) {
    const l = cc.ctx.records.layer(id);
    if (!l) throw failedPrecondition(`layer ${id} of the container's image is gone`);
    out.unshift(l);
    id = l.parent;
  }
  return out;
}

async function baseConfig(cc: ContainerContext, c: ContainerRecord): Promise<Pick<ImageConfig, 'architecture' | 'os' | 'variant' | 'history'>> {
  const img = c.imageId ? cc.ctx.records.image(c.imageId) : undefined;
  if (img) {
    const cfg = await readConfig(cc.ctx, img);
    return { architecture: cfg.architecture, os: cfg.os, ...(cfg.variant ? { variant: cfg.variant } : {}), history: cfg.history ?? [] };
  }
  const p = hostPlatform();
  return { architecture: p.architecture, os: p.os, history: [] };
}

/** `commit`: a new image from the container's image plus its writable layer. Returns the image id. */
export function commitContainer(cc: ContainerContext, ref: string, opts: CommitOptions = {}): Promise<string> {
  return withContainer(cc, ref, (c) => commitLocked(cc, c, opts));
}

async function commitLocked(cc: ContainerContext, c: ContainerRecord, opts: CommitOptions): Promise<string> {
  const ctx = cc.ctx;
  if (!c.layerId) throw failedPrecondition(`container ${c.id.slice(0, 12)} has no writable layer`);
  const names = opts.reference ? [formatReference(normalizeReference(opts.reference))] : [];
  const config = applyChanges(runConfig(c), opts.changes ?? []);
  const base = await baseConfig(cc, c);
  const parentId = ctx.records.layer(c.layerId)?.parent ?? null;

  const runtime = await cc.runtime(c.config.runtime);
  const pause = (opts.pause ?? true) && c.state.status === 'running';
  if (pause) await runtime.pause(c.id);
  try {
    return await Lease.with(ctx, async (lease) => {
      const parents = ancestry(cc, parentId);
      writeTx(ctx.db, () => parents.forEach((l) => lease.layer(l.id)));
      for (const l of parents) if (l.blobDigest) lease.blob(l.blobDigest);
      const { changes, source } = await layerChanges(cc, c);
      const blob = await lease.ingest(layerTar(changes, source) as AsyncIterable<Buffer>);
      return retryOnLostRace(async () => {
        const layer = await ensureLayer(ctx, lease, parents.at(-1) ?? null, { ...blob, mediaType: MediaType.OciLayer });
        const layers = [...parents, layer];
        if (layers.some((l) => !l.diffId || !l.blobDigest)) throw internal('a layer of the container has no recorded blob');
        const now = new Date().toISOString();
        let createdBy = '';
        try {
          createdBy = commandArgs(c.config.imageConfig, c.config.opts).join(' ');
        } catch {
          // No command at all: the history line stays empty, as Docker leaves it.
        }
        const entry: HistoryEntry = {
          created: now,
          created_by: createdBy,
          ...(opts.author ? { author: opts.author } : {}),
          ...(opts.message ? { comment: opts.message } : {}),
        };
        const image: ImageConfig = {
          created: now,
          ...(opts.author ? { author: opts.author } : {}),
          architecture: base.architecture,
          os: base.os,
          ...(base.variant ? { variant: base.variant } : {}),
          config,
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId!) },
          history: [...(base.history ?? []), entry],
          container: c.id,
          ...(opts.message ? { comment: opts.message } : {}),
        };
        return commitImage(ctx, lease, {
          config: image,
          layers,
          layerBlobs: layers.map((l) => ({ mediaType: l.blobMediaType ?? MediaType.OciLayer, digest: l.blobDigest!, size: l.blobSize ?? 0 })),
          names,
          parent: c.imageId,
        });
      });
    });
  } finally {
    if (pause) await runtime.resume(c.id).catch(() => undefined);
  }
}
