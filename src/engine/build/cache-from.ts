/**
 * `--cache-from` as Docker's classic builder reads it (daemon/images/cache.go in moby 20.10):
 * once images are named, only they prime the cache. A step's result counts only when it is one
 * of their ancestors (its history and layers start theirs), whether it comes from the local
 * build cache or from the image itself: an image pulled or loaded from elsewhere, with no build
 * cache behind it, gives a step when its history goes on with exactly what the step would record.
 */
import type { HistoryEntry, ImageConfig } from '../../core/images/oci.js';
import { isEngineError } from '../../core/errdefs.js';
import { writeTx } from '../../impl/metadata/db.js';
import type { EngineContext } from '../context.js';
import type { Lease } from '../images/lease.js';
import { readConfig } from '../images/read.js';
import { resolveImage } from '../images/resolve.js';
import { cloneState, type BuildState } from './state.js';

interface Source {
  id: string;
  history: HistoryEntry[];
  diffIds: string[];
  /** Layer ids bottom-up, one per diff id. */
  layers: string[];
  /** Its labels: the one part of the config `build --label` changes without a history entry. */
  labels: string;
}

/** The step a source gives: its next history entry and, unless that entry is empty, the layer under it. */
interface SourceStep {
  entry: HistoryEntry;
  layer?: { id: string; diffId: string };
}

/** What a step records in the history (moby's isValidConfig compares it) and its change to the config. */
export interface SourceStepText {
  createdBy: string;
  configure?: (next: BuildState) => void;
}

/** JSON with keys sorted and nulls left out: engines order and fill in configs differently. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined && o[k] !== null)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * A history time as the instant it names: moby compares parsed times (reflect.DeepEqual on
 * time.Time), and Go writes them back with RFC3339Nano, which drops a fraction's trailing zeros
 * ("…:01.120Z" comes back from dockerd as "…:01.12Z"). Nanoseconds kept, the zone folded into UTC.
 */
export function historyInstant(t: string | undefined): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(t ?? '');
  if (!m) return t ?? '';
  return `${Date.parse(`${m[1]}${m[3]}`)}.${(m[2] ?? '').padEnd(9, '0')}`;
}

const same = (a: HistoryEntry, b: HistoryEntry) =>
  historyInstant(a.created) === historyInstant(b.created) &&
  (a.created_by ?? '') === (b.created_by ?? '') &&
  (a.author ?? '') === (b.author ?? '') &&
  (a.comment ?? '') === (b.comment ?? '') &&
  !!a.empty_layer === !!b.empty_layer;

/** moby's isValidParent: `config` starts the source (an empty config starts every source); `strict` wants it shorter. */
function starts(src: Source, config: ImageConfig, strict: boolean): boolean {
  const history = config.history ?? [];
  const diffIds = config.rootfs.diff_ids;
  if (history.length === 0 && diffIds.length === 0) return true;
  if (strict ? history.length >= src.history.length : history.length > src.history.length) return false;
  if (diffIds.length > src.diffIds.length) return false;
  return history.every((h, i) => same(h, src.history[i]!)) && diffIds.every((d, i) => d === src.diffIds[i]);
}

export class CacheSources {
  private constructor(
    private readonly ctx: EngineContext,
    private sources: Source[],
  ) {}

  /** The named images found here (none is pulled, as with dockerd), held by the build's lease; `missing` hears the others. */
  static async open(ctx: EngineContext, lease: Lease, refs: string[], missing: (ref: string) => void): Promise<CacheSources> {
    const sources: Source[] = [];
    for (const ref of refs) {
      let id: string;
      try {
        id = resolveImage(ctx.records, ref).id;
      } catch (e) {
        if (!isEngineError(e, 'NotFound')) throw e;
        missing(ref);
        continue;
      }
      const img = ctx.records.image(id);
      if (!img || sources.some((s) => s.id === id)) continue;
      const config = await readConfig(ctx, img);
      const layers = ctx.records.imageLayerIds(id);
      if (layers.length !== config.rootfs.diff_ids.length) continue;
      sources.push({ id, history: config.history ?? [], diffIds: config.rootfs.diff_ids, layers, labels: canonical(config.config?.Labels ?? {}) });
    }
    writeTx(ctx.db, () => {
      for (const s of sources) {
        lease.blob(s.id);
        const img = ctx.records.image(s.id);
        if (img) lease.blob(img.manifestDigest);
      }
    });
    return new CacheSources(ctx, sources);
  }

  /** A cached result may be used: it is an ancestor of (or is) a named image. */
  accepts(state: BuildState): boolean {
    return this.sources.some((s) => (state.config.history?.length ?? 0) > 0 && starts(s, state.config, false));
  }

  /**
   * The named image that `state` is in full, if any: the build's result is that image (moby
   * returns the image itself). Besides history and layers the labels must agree: an image made
   * with skiff's `build --label` has them without a history entry (Docker adds a LABEL step).
   */
  whole(state: BuildState): string | undefined {
    const n = state.config.history?.length ?? 0;
    const labels = canonical(state.config.config?.Labels ?? {});
    return this.sources.find(
      (s) => n > 0 && s.history.length === n && s.diffIds.length === state.config.rootfs.diff_ids.length && starts(s, state.config, false) && s.labels === labels,
    )?.id;
  }

  /**
   * The step a named image gives after `state` for an instruction that records `createdBy`
   * (moby's isValidConfig compares the same text). The first image that gives one is the only
   * one asked afterwards, so a build does not hop between images.
   */
  private next(state: BuildState, createdBy: string): SourceStep | undefined {
    const n = state.config.history?.length ?? 0;
    for (const s of this.sources) {
      if (!starts(s, state.config, true)) continue;
      const entry = s.history[n]!;
      if ((entry.created_by ?? '') !== createdBy) continue;
      let layer: SourceStep['layer'];
      if (!entry.empty_layer) {
        const i = state.config.rootfs.diff_ids.length;
        if (i >= s.diffIds.length) continue;
        layer = { id: s.layers[i]!, diffId: s.diffIds[i]! };
      }
      this.sources = [s];
      return { entry, ...(layer ? { layer } : {}) };
    }
    return undefined;
  }

  /**
   * The state after `state` that a named image gives for this step, its layer leased through
   * `leaseLayer` (in the transaction that checks the layer is still whole); undefined if none.
   */
  give(state: BuildState, step: SourceStepText, leaseLayer: (id: string) => void): BuildState | undefined {
    const got = this.next(state, step.createdBy);
    if (!got) return undefined;
    const layer = got.layer;
    if (layer) {
      const held = writeTx(this.ctx.db, () => {
        const rec = this.ctx.records.layer(layer.id);
        if (!rec?.complete || !rec.blobDigest) return false;
        leaseLayer(layer.id);
        return true;
      });
      if (!held) return undefined;
    }
    const next = cloneState(state);
    delete next.made;
    step.configure?.(next);
    next.config.history = [...(state.config.history ?? []), got.entry];
    if (got.entry.created) next.config.created = got.entry.created;
    if (layer) {
      next.layers.push(layer.id);
      next.config.rootfs = { type: 'layers', diff_ids: [...state.config.rootfs.diff_ids, layer.diffId] };
    }
    return next;
  }
}
