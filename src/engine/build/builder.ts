import { rootlessUid } from '../../sys/linux/rootless-uid.js';
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import {
  dockerMessageOf,
  expandError,
  expandHeredoc,
  expandWord,
  expandWords,
  IgnoreMatcher,
  parseDockerfile,
  parseMount,
  platformArgs,
  type ArgInstruction,
  type CopyInstruction,
  type Dialect,
  type EnvInstruction,
  type Dockerfile,
  type Instruction,
  type RunInstruction,
  type Stage,
  type ValueInstruction,
  withDockerMessage,
} from '../../core/build/index.js';
import { hostPlatform } from '../../core/images/oci.js';
import type { Platform } from '../../core/content/content.js';
import { parsePlatform } from '../images/remote-common.js';
import { EngineError, invalidArgument, isEngineError, notFound, notImplemented } from '../../core/errdefs.js';
import { writeTx } from '../../impl/metadata/db.js';
import { BuildCacheRecords } from '../../impl/metadata/build-cache.js';
import type { LayerRecord } from '../../impl/metadata/records.js';
import { mountStack, unmount } from '../../sys/mount.js';
import type { ContainerContext } from '../containers/context.js';
import { rawLayerChanges } from '../containers/layer-changes.js';
import { resolveInRoot } from '../containers/scoped-path.js';
import type { EngineContext } from '../context.js';
import type { Lease } from '../images/lease.js';
import { readConfig } from '../images/read.js';
import { resolveImage } from '../images/resolve.js';
import { tagImage } from '../images/tag.js';
import { download, isArchive, unpackArchive } from './add.js';
import { CacheSources, type SourceStepText } from './cache-from.js';
import type { BuildContext } from './context.js';
import { copyInto, parseChmod, resolveOwner, type CopyItem } from './copy.js';
import { commitBuiltImage, normalizeTags } from './image.js';
import { commitLayer, dropLayer, scratchLayer } from './layer.js';
import { applyConfigInstruction, resolveWorkdir, type Expander } from './metadata.js';
import { planRunMounts } from './run-mounts.js';
import { runStep } from './run.js';
import { digestSources, matchSources, walkSource, type PathFilter, type SourceNode } from './sources.js';
import { addHistory, cacheKey, cloneState, DEFAULT_SHELL, envValue, nopHistory, setDefaultPath, type BuildState } from './state.js';
import type { BuildListener, BuildOptions, BuildResult } from './types.js';

/** Build args every RUN sees without an ARG, and that stay out of history and cache keys (Docker's list). */
const PROXY_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

interface StageResult {
  state: BuildState;
  key: string;
}

/** One stage being built: its state so far, the chain of cache keys, its ARGs in scope. */
class StageRun {
  key = '';
  state!: BuildState;
  readonly args = new Map<string, string | undefined>();
  cmdSet = false;
  constructor(readonly stage: Stage) {}

  lookup = (name: string): string | undefined => {
    const env = envValue(this.state.config.config?.Env, name);
    if (env !== undefined) return env;
    return this.args.get(name);
  };

  /** `NAME=value` of the ARGs in scope that have a value, in declaration order. */
  argsInUse(): string[] {
    return [...this.args].filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  }

  top(records: EngineContext['records']): LayerRecord | null {
    const id = this.state.layers.at(-1);
    return id ? (records.layer(id) ?? null) : null;
  }
}

/** The context's .dockerignore plus a COPY's --exclude patterns. */
function withExcludes(base: PathFilter | undefined, excludes: string[]): PathFilter | undefined {
  if (!excludes.length) return base;
  const extra = new IgnoreMatcher(excludes);
  if (!base) return extra;
  return {
    isExcluded: (p) => base.isExcluded(p) || extra.isExcluded(p),
    canSkipDir: (p) => base.canSkipDir(p) || extra.canSkipDir(p),
  };
}

function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

function isGitUrl(s: string): boolean {
  return /^git@|^git:\/\/|\.git(#.*)?$/.test(s);
}

/** The builder proper: stages, the cache, steps. One instance per `build`. */
export class Builder {
  private readonly cache: BuildCacheRecords;
  private readonly stageResults = new Map<number, Promise<StageResult>>();
  private readonly globals = new Map<string, string | undefined>();
  private readonly target: Platform;
  private readonly platform: Record<string, string>;
  private readonly consumed = new Set<string>();
  private readonly mounted: string[] = [];
  private readonly fromRoots = new Map<string, Promise<{ root: string; identity: string }>>();
  private readonly images = new Map<string, Promise<string>>();
  private readonly leased = new Set<string>();
  private readonly useCache: boolean;
  private readonly writeCache: boolean;
  private scratchCount = 0;
  /** `--cache-from`: the only images that may prime the cache, when given. */
  private sources: CacheSources | undefined;
  /** Layers this build made (not taken from the cache), in order. */
  readonly made: string[] = [];
  cached = 0;
  executed = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly cc: ContainerContext,
    private readonly lease: Lease,
    private readonly opts: BuildOptions,
    private readonly emit: BuildListener,
    private readonly context: BuildContext,
    private readonly df: Dockerfile,
    private readonly workDir: string,
  ) {
    this.cache = new BuildCacheRecords(ctx.db);
    this.target = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
    this.platform = platformArgs(this.target, hostPlatform());
    this.writeCache = opts.layers !== false;
    this.useCache = this.writeCache && !opts.noCache;
    for (const inst of df.globalArgs) {
      for (const a of inst.args) {
        this.consumed.add(a.name);
        const given = this.buildArg(a.name);
        const lookup = (n: string) => (this.globals.has(n) ? this.globals.get(n) : this.platform[n]);
        this.globals.set(a.name, given ?? (a.default !== undefined ? this.expand(inst, lookup).word(a.default) : undefined));
      }
    }
  }

  static parse(text: string, filename: string): Dockerfile {
    return parseDockerfile(text, { filename });
  }

  private buildArg(name: string): string | undefined {
    const b = this.opts.buildArgs ?? {};
    return Object.prototype.hasOwnProperty.call(b, name) ? b[name] : undefined;
  }

  /** Substitution for one instruction; errors name the file and line. */
  private expand(inst: Instruction, lookup: (n: string) => string | undefined): Expander {
    const escape = this.df.directives.escape;
    // A `# syntax=` line says the file is written for BuildKit's frontend, whose substitutions
    // (`${x-w}`, `${x#pat}`, …) skiff knows; without one the file gets the classic builder's
    // rules, as from dockerd 20.10 (which refuses them even with the line).
    const dialect: Dialect = this.df.directives.syntax ? 'buildkit' : 'classic';
    const file = this.context.dockerfileName;
    const atLine = <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (e) {
        if (isEngineError(e)) throw e;
        throw withDockerMessage(invalidArgument(`${file}:${inst.line}: ${(e as Error).message}`, e), (e as Error).message);
      }
    };
    const guard = <T>(w: string, fn: () => T): T => {
      try {
        return fn();
      } catch (e) {
        if (isEngineError(e)) throw e;
        throw expandError(file, inst.line, w, e);
      }
    };
    return {
      word: (w) => guard(w, () => expandWord(w, lookup, escape, dialect)),
      words: (w) => guard(w, () => expandWords(w, lookup, escape, dialect)),
      heredoc: (c) => guard(c, () => expandHeredoc(c, lookup, escape)),
      atLine,
    };
  }

  // ---- stages

  private findStage(ref: string, before?: number): Stage | undefined {
    const lower = ref.toLowerCase();
    const byName = this.df.stages.find((s) => s.name === lower && (before === undefined || s.index < before));
    if (byName) return byName;
    if (/^\d+$/.test(ref)) {
      const s = this.df.stages[Number(ref)];
      if (s && (before === undefined || s.index < before)) return s;
    }
    return undefined;
  }

  /** The stages the target needs (itself, its FROM stages, and every --from stage), from the raw text. */
  /** Docker numbers steps over every stage the build runs: `Step 7/12`. */
  private totalSteps = 0;
  private stepIndex = 0;

  private neededStages(target: number): number[] {
    const need = new Set<number>();
    const globalLookup = (n: string) => (this.globals.has(n) ? this.globals.get(n) : this.platform[n]);
    const tryExpand = (inst: Instruction, w: string) => {
      try {
        return this.expand(inst, globalLookup).word(w);
      } catch {
        return w;
      }
    };
    const visit = (i: number) => {
      if (need.has(i)) return;
      need.add(i);
      const st = this.df.stages[i]!;
      const from = this.findStage(tryExpand(st.from, st.from.image), i);
      if (from) visit(from.index);
      for (const inst of st.instructions) {
        const refs: string[] = [];
        if ((inst.kind === 'COPY' || inst.kind === 'ADD') && inst.from) refs.push(inst.from);
        if (inst.kind === 'RUN') for (const m of inst.mounts) if (m.from) refs.push(m.from);
        for (const r of refs) {
          const s = this.findStage(tryExpand(inst, r), i);
          if (s) visit(s.index);
        }
      }
    };
    visit(target);
    return [...need].sort((a, b) => a - b);
  }

  async build(): Promise<BuildResult> {
    if (this.df.stages.length === 0) throw invalidArgument(`${this.context.dockerfileName}: no FROM instruction`);
    let target = this.df.stages.length - 1;
    if (this.opts.target) {
      const s = this.df.stages.find((st) => st.name === this.opts.target!.toLowerCase());
      if (!s) throw invalidArgument(`failed to reach build target ${this.opts.target} in Dockerfile`);
      target = s.index;
    }
    this.addLabelInstructions(this.df.stages[target]!);
    if (this.opts.cacheFrom?.length && this.useCache) {
      const missing = (ref: string) => this.emit({ type: 'warning', message: `--cache-from ${ref}: no such image here, not used` });
      this.sources = await CacheSources.open(this.ctx, this.lease, this.opts.cacheFrom, missing);
    }
    const needed = this.neededStages(target);
    this.totalSteps = needed.reduce((n, i) => n + 1 + this.df.stages[i]!.instructions.length, 0);
    for (const i of needed) await this.stageResult(i, target);
    const result = await this.stageResult(target, target);
    const unused = Object.keys(this.opts.buildArgs ?? {}).filter((a) => !this.consumed.has(a) && !PROXY_ARGS.has(a));
    if (unused.length) this.emit({ type: 'warning', message: `one or more build-args [${unused.join(' ')}] were not consumed` });
    const names = normalizeTags(this.opts.tags ?? []);
    this.emit({ type: 'commit', ...(this.opts.tags?.[0] ? { name: this.opts.tags[0] } : {}) });
    // A build that is a --cache-from image in full is that image, as dockerd answers it.
    const whole = this.sources?.whole(result.state);
    if (whole) tagImage(this.ctx, whole, names);
    const id =
      whole ??
      (await commitBuiltImage(this.ctx, this.lease, result.state, {
        names,
        format: this.opts.format ?? 'oci',
      }));
    this.emit({ type: 'committed', id });
    for (const n of names) this.emit({ type: 'tagged', name: n });
    return { id, names, cached: this.cached, executed: this.executed };
  }

  /**
   * `--label`s become LABEL steps at the end of the target stage, one per key in key order, as
   * dockerd's classic builder adds them: they are steps, history entries and cache keys.
   */
  private addLabelInstructions(stage: Stage): void {
    const labels = this.opts.labels ?? {};
    for (const key of Object.keys(labels).sort()) {
      const original = `LABEL ${key}=${labels[key]}`;
      const line = stage.instructions.at(-1)?.endLine ?? stage.from.endLine;
      const label: EnvInstruction = { kind: 'LABEL', line, endLine: line, original, flags: {}, pairs: [{ key, value: labels[key]! }], literal: true };
      stage.instructions.push(label);
    }
  }

  private stageResult(i: number, target: number): Promise<StageResult> {
    let p = this.stageResults.get(i);
    if (!p) {
      p = this.runStage(this.df.stages[i]!, i === target);
      this.stageResults.set(i, p);
    }
    return p;
  }

  private async runStage(stage: Stage, isTarget: boolean): Promise<StageResult> {
    const run = new StageRun(stage);
    const steps = 1 + stage.instructions.length;
    const stages = this.df.stages.length;
    const step = (n: number, instruction: string) =>
      this.emit({ type: 'step', stage: stage.index + 1, stages, step: n, steps, index: ++this.stepIndex, total: this.totalSteps, instruction });
    step(1, stage.from.original);
    await this.atStep(stage.from, () => this.from(run));
    if (stage.instructions.length === 0 && !isTarget) this.emit({ type: 'step-done', id: run.key });
    for (const [i, inst] of stage.instructions.entries()) {
      if (this.opts.signal?.aborted) throw new EngineError('Canceled', 'build canceled');
      step(i + 2, inst.original);
      const hit = await this.atStep(inst, () => this.execute(run, inst));
      const last = i === stage.instructions.length - 1;
      if (hit) this.emit({ type: 'cache-hit', id: run.key });
      if (!(last && isTarget)) this.emit({ type: 'step-done', id: run.key });
    }
    return { state: run.state, key: run.key };
  }

  /** Errors of a step say which step, as podman does. */
  private async atStep<T>(inst: Instruction, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isEngineError(e) && !e.message.startsWith('building at STEP')) {
        const wrapped = withDockerMessage(new EngineError(e.code, `building at STEP "${inst.original}": ${e.message}`, { cause: e }), dockerMessageOf(e) ?? e.message);
        throw Object.assign(wrapped, 'exitCode' in e ? { exitCode: (e as { exitCode: number }).exitCode } : {});
      }
      throw e;
    }
  }

  // ---- FROM

  private async from(run: StageRun): Promise<void> {
    const inst = run.stage.from;
    const globalLookup = (n: string) => (this.globals.has(n) ? this.globals.get(n) : this.platform[n]);
    const name = this.expand(inst, globalLookup).word(inst.image);
    if (!name) throw invalidArgument(`${this.context.dockerfileName}:${inst.line}: FROM needs an image`);
    const stage = this.findStage(name, run.stage.index);
    if (stage && stage.name !== undefined && stage.name === name.toLowerCase()) {
      const r = await this.stageResult(stage.index, -1);
      run.state = cloneState(r.state);
      run.key = cacheKey('', 'FROM stage', r.key);
    } else if (name === 'scratch') {
      const p = this.target;
      run.state = { config: { architecture: p.architecture, os: p.os, config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] }, layers: [] };
      run.key = cacheKey('', 'FROM scratch', p);
    } else {
      const platform = inst.platform !== undefined ? this.expand(inst, globalLookup).word(inst.platform) : this.opts.platform;
      const id = await this.image(name, platform);
      const img = this.ctx.records.image(id)!;
      const config = await readConfig(this.ctx, img);
      run.state = { config: { ...config, config: config.config ?? {}, history: config.history ?? [] }, layers: this.ctx.records.imageLayerIds(id), base: id };
      // A fresh image config: Docker's builder drops what describes the old image itself.
      delete run.state.config.container;
      delete run.state.config.docker_version;
      delete run.state.config.comment;
      run.key = cacheKey('', 'FROM image', id);
    }
    // ONBUILD triggers of the base run now, and are not passed on.
    const triggers = run.state.config.config?.OnBuild ?? [];
    // A stage that changes nothing leaves its base image as it is (dockerd builds no new image).
    if (run.stage.instructions.length || triggers.length) setDefaultPath(run.state);
    if (run.state.config.config) delete run.state.config.config.OnBuild;
    if (triggers.length) run.key = cacheKey(run.key, 'ONBUILD triggers cleared');
    for (const t of triggers) {
      const parsed = parseDockerfile(`FROM scratch\n${t}\n`, { filename: `ONBUILD trigger of ${name}` });
      const trigger = parsed.stages[0]?.instructions[0];
      if (!trigger) continue;
      if (trigger.kind === 'ONBUILD' || trigger.kind === 'FROM' || trigger.kind === 'MAINTAINER') {
        throw invalidArgument(`${trigger.kind} isn't allowed as an ONBUILD trigger`);
      }
      await this.execute(run, trigger);
    }
  }

  /** The id of a base image, pulled first as --pull says; its layers and blobs leased. */
  private image(ref: string, platform?: string): Promise<string> {
    const key = `${ref}\0${platform ?? ''}`;
    let p = this.images.get(key);
    if (!p) {
      p = this.acquireImage(ref, platform);
      this.images.set(key, p);
    }
    return p;
  }

  private async acquireImage(ref: string, platform?: string): Promise<string> {
    const policy = this.opts.pull ?? 'missing';
    let have: string | undefined;
    try {
      have = resolveImage(this.ctx.records, ref).id;
    } catch (e) {
      if (!isEngineError(e, 'NotFound')) throw e;
    }
    if (policy === 'always' || (!have && policy === 'missing')) {
      const { pullImage } = await import('../images/pull.js');
      const r = await pullImage(this.ctx, ref, platform ? { platform } : {}, (progress) => this.emit({ type: 'pull', image: ref, progress }));
      have = r.id;
    }
    if (!have) throw notFound(`${ref}: image not known`);
    const img = this.ctx.records.image(have);
    if (!img) throw notFound(`${ref}: image not known`);
    const layers = this.ctx.records.imageLayerIds(have);
    writeTx(this.ctx.db, () => {
      this.lease.blob(have!);
      this.lease.blob(img.manifestDigest);
      for (const l of layers) this.leaseLayer(l);
    });
    // Checked again under the lease: an rmi that won the race leaves nothing to build on.
    if (!this.ctx.records.image(have)) throw notFound(`${ref}: image was removed during the build`);
    return have;
  }

  private leaseLayer(id: string): void {
    if (this.leased.has(id)) return;
    this.lease.layer(id);
    const blob = this.ctx.records.layer(id)?.blobDigest;
    if (blob) this.lease.blob(blob);
    this.leased.add(id);
  }

  // ---- the cache

  /** A cached state for `key` whose layers and blobs are all still there (leased for this build). */
  private lookup(key: string): BuildState | undefined {
    if (!this.useCache) return undefined;
    const row = this.cache.get(key);
    if (!row) return undefined;
    const state = JSON.parse(row.state) as BuildState;
    const ok = writeTx(this.ctx.db, () => {
      for (const id of state.layers) {
        const l = this.ctx.records.layer(id);
        if (!l?.complete || !l.blobDigest) return false;
        this.leaseLayer(id);
      }
      return true;
    });
    if (!ok || !state.layers.every((id) => this.ctx.driver.exists(id) && this.ctx.content.has(this.ctx.records.layer(id)!.blobDigest!))) {
      this.cache.delete(key);
      return undefined;
    }
    this.cache.touch([key]);
    return state;
  }

  private remember(key: string, state: BuildState): void {
    if (!this.writeCache) return;
    const blobs = state.layers.map((id) => this.ctx.records.layer(id)?.blobDigest).filter((d): d is string => !!d);
    this.cache.put({ key, topLayer: state.layers.at(-1) ?? null, state: JSON.stringify(state), blobs }, (d) => this.ctx.content.has(d));
  }

  /**
   * One cacheable step: a hit takes the cached state; a miss runs `produce` on a copy of the
   * state and records the result. Returns whether it was a hit.
   */
  private async cachedStep(run: StageRun, key: string, produce: (next: BuildState) => Promise<void>, step?: SourceStepText): Promise<boolean> {
    let hit = this.lookup(key);
    if (hit && this.sources && !this.sources.accepts(hit)) hit = undefined;
    if (!hit && this.sources && step) hit = this.sources.give(run.state, step, (id) => this.leaseLayer(id));
    if (hit) {
      run.state = hit;
      run.key = key;
      this.cached++;
      return true;
    }
    const next = cloneState(run.state);
    delete next.made;
    await produce(next);
    this.remember(key, next);
    run.state = next;
    run.key = key;
    this.executed++;
    return false;
  }

  private addLayer(s: BuildState, layer: LayerRecord, createdBy: string): void {
    this.made.push(layer.id);
    s.made = layer.id;
    s.layers.push(layer.id);
    s.config.rootfs = { type: 'layers', diff_ids: [...s.config.rootfs.diff_ids, layer.diffId!] };
    addHistory(s, createdBy, false);
  }

  /** A step that changed nothing gets a history entry and no layer, as Docker's builder does. */
  private addLayerOrEmpty(s: BuildState, layer: LayerRecord | undefined, createdBy: string): void {
    if (layer) this.addLayer(s, layer, createdBy);
    else addHistory(s, createdBy, true);
  }

  // ---- instructions

  /** Runs one instruction; true when its result came from the cache. */
  private async execute(run: StageRun, inst: Instruction): Promise<boolean> {
    const x = this.expand(inst, run.lookup);
    switch (inst.kind) {
      case 'RUN':
        return this.run(run, inst, x);
      case 'COPY':
      case 'ADD':
        return this.copy(run, inst, x);
      case 'WORKDIR':
        return this.workdir(run, inst, x);
      case 'ARG':
        return this.arg(run, inst, x);
      case 'FROM':
        throw invalidArgument(`${this.context.dockerfileName}:${inst.line}: FROM inside a stage`);
      default: {
        const probe = cloneState(run.state);
        const stageFlags = { cmdSet: run.cmdSet };
        const text = applyConfigInstruction(probe, inst, x, stageFlags);
        if (text === undefined) throw notImplemented(`${inst.kind} is not supported`);
        run.cmdSet = stageFlags.cmdSet;
        const configure = (next: BuildState) => {
          next.config = cloneState({ config: probe.config, layers: [] }).config;
        };
        // The config itself keys the step: history's text is ambiguous (`LABEL a=b c=d`).
        return this.cachedStep(
          run,
          cacheKey(run.key, text, probe.config.config),
          async (next) => {
            configure(next);
            addHistory(next, nopHistory(next, text), true);
          },
          { createdBy: nopHistory(probe, text), configure },
        );
      }
    }
  }

  private async arg(run: StageRun, inst: ArgInstruction, x: Expander): Promise<boolean> {
    for (const a of inst.args) {
      this.consumed.add(a.name);
      const given = this.buildArg(a.name);
      let value: string | undefined;
      if (given !== undefined) value = given;
      else if (a.default !== undefined) value = x.word(a.default);
      else if (this.globals.has(a.name)) value = this.globals.get(a.name);
      else value = this.platform[a.name];
      run.args.set(a.name, value);
    }
    const text = `ARG ${inst.args.map((a) => a.name + (a.default !== undefined ? `=${a.default}` : '')).join(' ')}`;
    // The values count through the RUNs that see them; the key holds what history shows.
    return this.cachedStep(run, cacheKey(run.key, text), async (next) => addHistory(next, nopHistory(next, text), true), {
      createdBy: nopHistory(run.state, text),
    });
  }

  private async workdir(run: StageRun, inst: ValueInstruction, x: Expander): Promise<boolean> {
    const dir = resolveWorkdir(run.state.config.config?.WorkingDir, x.word(inst.value));
    const configure = (next: BuildState) => {
      (next.config.config ??= {}).WorkingDir = dir;
    };
    return this.cachedStep(run, cacheKey(run.key, 'WORKDIR', dir), async (next) => {
      configure(next);
      // The directory is made now, so it exists in the image even if nothing is put there.
      const layer = await this.withScratch(run, async (rootfs) => {
        const host = resolveInRoot(rootfs, dir);
        mkdirSync(host, { recursive: true, mode: 0o755 });
      });
      if (layer) this.addLayer(next, layer, nopHistory(next, `WORKDIR ${dir}`, 'files'));
      else addHistory(next, nopHistory(next, `WORKDIR ${dir}`, 'files'), true);
    }, { createdBy: nopHistory(run.state, `WORKDIR ${dir}`, 'files'), configure });
  }

  /**
   * Mounts a new layer above the stage's top for `fn` to write into, then makes it the step's
   * layer; undefined (and the layer dropped) when `fn` changed nothing.
   */
  private async withScratch(run: StageRun, fn: (rootfs: string) => Promise<void>): Promise<LayerRecord | undefined> {
    const parent = run.top(this.ctx.records);
    const id = await scratchLayer(this.cc, this.lease, parent?.id ?? null);
    const mnt = join(this.workDir, `rootfs-${++this.scratchCount}`);
    mkdirSync(mnt, { recursive: true });
    try {
      await mountStack(this.ctx.driver.mounts(id), mnt);
      try {
        await fn(mnt);
      } finally {
        unmount(mnt, { detach: true });
      }
    } catch (e) {
      dropLayer(this.cc, id);
      throw e;
    } finally {
      // Async: removing the mount point of the overlay just detached waited ~300 ms on a busy disk.
      await rmdir(mnt);
    }
    const listed = await rawLayerChanges(this.cc, id);
    if (listed.changes.length === 0) {
      dropLayer(this.cc, id);
      return undefined;
    }
    return commitLayer(this.cc, this.lease, parent, id, listed);
  }

  /** A tree to read from for `--from=` / `--mount from=`: a stage or an image, mounted read-only. */
  private fromRoot(ref: string, current: number): Promise<{ root: string; identity: string }> {
    let p = this.fromRoots.get(ref);
    if (!p) {
      p = (async () => {
        const stage = this.findStage(ref, current);
        let top: string | undefined;
        let identity: string;
        if (stage) {
          const r = await this.stageResult(stage.index, -1);
          top = r.state.layers.at(-1);
          identity = `stage:${top ? this.ctx.records.layer(top)!.chainId : 'empty'}`;
        } else {
          if (this.df.stages.some((s) => s.name === ref.toLowerCase())) {
            throw invalidArgument(`--from=${ref}: stage ${ref} is not before this one`);
          }
          const id = await this.image(ref);
          top = this.ctx.records.image(id)?.topLayer ?? undefined;
          identity = `image:${id}`;
        }
        const dir = join(this.workDir, `from-${this.fromRoots.size}`);
        mkdirSync(dir, { recursive: true });
        if (top) {
          await mountStack(this.ctx.driver.mounts(top, { readOnly: true }), dir);
          this.mounted.push(dir);
        }
        return { root: dir, identity };
      })();
      this.fromRoots.set(ref, p);
    }
    return p;
  }

  private async run(run: StageRun, inst: RunInstruction, x: Expander): Promise<boolean> {
    const c = run.state.config.config ?? {};
    const shell = c.Shell ?? DEFAULT_SHELL;
    const scratch = join(this.workDir, `step-${++this.scratchCount}`);
    mkdirSync(scratch, { recursive: true, mode: 0o700 });
    let argv: string[];
    let script: { name: string; content: string } | undefined;
    if (inst.cmd.form === 'exec') {
      argv = inst.cmd.args;
    } else if (inst.heredocs.length === 1 && /^\s*<<-?(["']?)[^\s"']+\1\s*$/.test(inst.cmd.command)) {
      // The heredoc is the script; a #! line picks its interpreter (BuildKit).
      const h = inst.heredocs[0]!;
      if (h.content.startsWith('#!')) {
        script = { name: h.name, content: h.content };
        argv = [`/dev/pipes/${h.name}`];
      } else {
        argv = [...shell, h.content];
      }
    } else if (inst.heredocs.length) {
      argv = [...shell, `${inst.cmd.command}\n${inst.heredocs.map((h) => `${h.content}${h.name}\n`).join('')}`];
    } else {
      argv = [...shell, inst.cmd.command];
    }
    const workdir = c.WorkingDir || '/';
    const plan = await planRunMounts({
      mounts: inst.mounts.map((m) => x.atLine(() => parseMount(m.raw, (w) => x.word(w)))),
      workdir,
      fromRoot: (ref) => this.fromRoot(ref, run.stage.index),
      context: { root: this.context.root, ...(this.context.ignore ? { ignore: this.context.ignore } : {}) },
      secrets: this.opts.secrets ?? [],
      env: this.opts.env ?? {},
      scratch,
      cacheDir: join(this.ctx.root, 'build-cache', 'mounts'),
    });
    if (script) {
      const file = join(scratch, 'script');
      writeFileSync(file, script.content);
      chmodSync(file, 0o755);
      plan.mounts.push({ type: 'bind', source: file, destination: `/dev/pipes/${script.name}`, options: ['ro'] });
    }
    // A user's RUN steps share the user's own network by default (no access beyond what any
    // process of theirs has), sparing each step a slirp4netns process and its namespace.
    const fallback = rootlessUid() === undefined ? 'bridge' : 'host';
    const network = inst.network === undefined || inst.network === 'default' ? (this.opts.network ?? fallback) : inst.network;
    if (!['none', 'host', 'bridge'].includes(network) && inst.network !== undefined && inst.network !== 'default') {
      throw invalidArgument(`RUN --network=${inst.network}: use none, host or default`);
    }
    const args = run.argsInUse();
    const key = cacheKey(run.key, 'RUN', argv, args, plan.key, inst.network ?? 'default');
    const createdBy = `${args.length ? `|${args.length} ${args.join(' ')} ` : ''}${argv.join(' ')}`;
    return this.cachedStep(run, key, async (next) => {
      const env = [...(c.Env ?? [])];
      for (const [k, v] of run.args) if (v !== undefined && envValue(c.Env, k) === undefined) env.push(`${k}=${v}`);
      for (const k of PROXY_ARGS) {
        const v = this.buildArg(k);
        if (v !== undefined && !run.args.has(k)) env.push(`${k}=${v}`);
      }
      env.push(...plan.env);
      const layer = await runStep(this.cc, this.lease, {
        parent: run.top(this.ctx.records),
        argv,
        env,
        workdir,
        ...(c.User ? { user: c.User } : {}),
        network,
        mounts: plan.mounts,
        volumes: Object.keys(c.Volumes ?? {}),
        ...(this.opts.run ? { settings: this.opts.run } : {}),
        onOutput: (stream, data) => this.emit({ type: 'output', stream, data }),
        ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      });
      this.addLayerOrEmpty(next, layer, createdBy);
    }, { createdBy });
  }

  private async copy(run: StageRun, inst: CopyInstruction, x: Expander): Promise<boolean> {
    if (inst.parents) throw notImplemented(`${inst.kind} --parents is not supported`);
    const c = run.state.config.config ?? {};
    const from = inst.from !== undefined ? x.word(inst.from) : undefined;
    const src = from !== undefined ? await this.fromRoot(from, run.stage.index) : undefined;
    const root = src?.root ?? this.context.root;
    const ignore = withExcludes(src ? undefined : this.context.ignore, inst.exclude.map((e) => x.word(e)));
    let rawDest = x.word(inst.dest);
    if (rawDest === '.' || rawDest.endsWith('/.')) rawDest += '/';
    const dest = posix.resolve(c.WorkingDir || '/', rawDest) + (rawDest.endsWith('/') && rawDest !== '/' ? '/' : '');
    const chown = inst.chown !== undefined ? x.word(inst.chown) : undefined;
    const chmod = inst.chmod !== undefined ? parseChmod(x.word(inst.chmod)) : undefined;
    const checksum = inst.checksum !== undefined ? x.word(inst.checksum) : undefined;

    const items: CopyItem[] = [];
    const nodes: SourceNode[] = [];
    const keyParts: unknown[] = [];
    const downloads: (() => Promise<unknown>)[] = [];
    for (const raw of inst.sources) {
      const s = x.word(raw);
      if (inst.kind === 'ADD' && isUrl(s)) {
        if (isGitUrl(s)) throw notImplemented(`ADD of a git repository (${s}) is not supported`);
        const to = join(this.workDir, `download-${++this.scratchCount}`);
        const item: CopyItem & { kind: 'bytes' } = { kind: 'bytes', name: posix.basename(new URL(s).pathname) || '__unnamed__', data: { path: to }, mode: 0o600 };
        items.push(item);
        const fetchIt = async () => {
          const dl = await download(s, to, checksum, this.opts.signal);
          if (dl.mtime) item.mtime = dl.mtime;
          return dl;
        };
        if (checksum !== undefined) {
          // The checksum names the content: a cache hit needs no download.
          downloads.push(fetchIt);
          keyParts.push(['url', s, checksum]);
        } else {
          const dl = await fetchIt();
          keyParts.push(['url', s, dl.digest, dl.mtime?.getTime() ?? null]);
        }
        continue;
      }
      if (checksum !== undefined) throw invalidArgument(`checksum can't be specified for non-HTTP(S) sources`);
      const matches = matchSources(root, s, ignore);
      if (matches.length === 0) {
        throw notFound(`${inst.kind} failed: file not found in build context or excluded by .dockerignore: stat ${s}: file does not exist`);
      }
      for (const m of matches) {
        const node = await walkSource(root, m, ignore);
        nodes.push(node);
        const top = node.entries[0]!;
        if (inst.kind === 'ADD' && inst.unpack !== false && top.st.isFile() && (await isArchive(top.abs))) {
          items.push({ kind: 'archive', path: top.abs });
        } else {
          items.push({ kind: 'tree', node, keepOwner: src !== undefined });
        }
      }
    }
    for (const h of inst.heredocs) {
      const content = h.expand ? x.heredoc(h.content) : h.content;
      items.push({ kind: 'bytes', name: h.name, data: Buffer.from(content), mode: 0o644 });
      keyParts.push(['heredoc', h.name, content]);
    }
    if (items.length === 0) throw invalidArgument(`${this.context.dockerfileName}:${inst.line}: ${inst.kind} needs a source`);
    const identity = src ? src.identity : await digestSources(nodes);
    const key = cacheKey(run.key, inst.kind, dest, chown ?? null, chmod ?? null, identity, nodes.map((n) => n.path), items.map((i) => i.kind), keyParts, inst.exclude);
    const what = nodes.length === 1 && nodes[0]!.entries[0]!.st.isDirectory() ? 'dir' : items.length > 1 ? 'multi' : 'file';
    const createdBy = nopHistory(run.state, `${inst.kind} ${from !== undefined ? `--from=${from} ` : ''}${what}:${identity.replace(/^.*:/, '')} in ${dest} `, 'files');
    return this.cachedStep(run, key, async (next) => {
      for (const d of downloads) await d();
      const layer = await this.withScratch(
        run,
        async (rootfs) => {
          await copyInto({
            rootfs,
            items,
            dest,
            ...(chown !== undefined ? { chown: resolveOwner(rootfs, chown) } : {}),
            ...(chmod !== undefined ? { chmod } : {}),
            what: inst.kind,
            unpack: unpackArchive,
          });
        },
      );
      this.addLayerOrEmpty(next, layer, createdBy);
    }, { createdBy });
  }

  /** Unmounts what the build mounted. */
  close(): void {
    for (const m of this.mounted.reverse()) unmount(m, { detach: true });
    this.mounted.length = 0;
  }
}

