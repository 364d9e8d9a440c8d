import { createHash } from 'node:crypto';
import type { HistoryEntry, ImageConfig } from '../../core/images/oci.js';

/**
 * What one built instruction leaves behind, and what a build cache row stores: the image
 * config so far (run config, history, diff IDs) and the layer ids bottom-up.
 */
export interface BuildState {
  config: ImageConfig;
  layers: string[];
  /** The layer this very step made, if any (what `system df` counts for its cache entry). */
  made?: string;
  /** The image the stage started FROM: the built image's Parent, as dockerd's builder links it. */
  base?: string;
}

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** Docker's default PATH for Linux (moby system.DefaultPathEnv). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * dockerd's classic builder starts every stage (FROM scratch too) by adding the default PATH
 * to an Env that has none, so `ENV PATH=/x:$PATH` and RUN see it, and so does the image.
 */
export function setDefaultPath(s: BuildState): void {
  const c = (s.config.config ??= {});
  if (envValue(c.Env, 'PATH') === undefined) c.Env = [...(c.Env ?? []), `PATH=${DEFAULT_PATH}`];
}

/** A cache key: the parent's key and everything the instruction saw, hashed. */
export function cacheKey(parent: string, ...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify([parent, ...parts])).digest('hex');
}

export function cloneState(s: BuildState): BuildState {
  return JSON.parse(JSON.stringify(s)) as BuildState;
}

/** KEY=VALUE list with `key` set, keeping the position of an earlier entry. */
export function setEnv(env: string[] | undefined, key: string, value: string): string[] {
  const out = [...(env ?? [])];
  const i = out.findIndex((e) => e === key || e.startsWith(key + '='));
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

export function envValue(env: string[] | undefined, key: string): string | undefined {
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    if (i < 0 ? e === key : e.slice(0, i) === key) return i < 0 ? '' : e.slice(i + 1);
  }
  return undefined;
}

/** Appends a history entry, stamped now. */
export function addHistory(s: BuildState, createdBy: string, emptyLayer: boolean): void {
  const created = new Date().toISOString();
  const h: HistoryEntry = { created, created_by: createdBy, ...(emptyLayer ? { empty_layer: true } : {}) };
  s.config.history = [...(s.config.history ?? []), h];
  s.config.created = created;
}

/**
 * The classic builder's `created_by` for a step that runs nothing: the stage's current SHELL,
 * then `#(nop) `. Its config-only steps (ENV, LABEL, CMD, …) join `#(nop) ` and the text as two
 * arguments, hence two spaces; WORKDIR, COPY and ADD put them in one (one space).
 */
export function nopHistory(s: BuildState, text: string, form: 'config' | 'files' = 'config'): string {
  const shell = s.config.config?.Shell ?? DEFAULT_SHELL;
  return `${shell.join(' ')} #(nop) ${form === 'config' ? ' ' : ''}${text}`;
}
