/**
 * @module compose/loader
 * Loads a Compose project as Docker Compose v2 does (compose-go's `loader`), reading files only
 * through the caller's `ComposeFiles` (core does no I/O):
 * 1. variables: the `.env` of the project directory, or the `--env-file`s (later ones win),
 *    under the OS environment, which wins over both (docs "Environment variables precedence");
 * 2. each file: YAML (anchors, merge keys, `!reset`/`!override`) → interpolation → types cast → schema
 *    validation → `include` → `extends`; then merged onto the files before it;
 * 3. the project name, profiles, the canonical model, consistency checks.
 */
import { posix } from 'node:path';
import { invalidArgument, notFound } from '../errdefs.js';
import { parseDotenv } from './dotenv.js';
import { castTypes } from './cast.js';
import { applyExtends } from './extends.js';
import { interpolateTree, isPlainObject } from './interpolate.js';
import { mergeDocs, stripMergeTags } from './merge.js';
import { normalizeProject, resolvePath } from './normalize.js';
import { activeProfiles, selectServices } from './profiles.js';
import { projectName } from './project-name.js';
import { rebaseDocument } from './rebase.js';
import { validateComposeFile } from './schema.js';
import type { ComposeFiles, ComposeLoadOptions, ComposeProject, LoadedProject, ServiceConfig } from './types.js';
import { parseComposeYaml } from './yaml-file.js';

type Dict = Record<string, unknown>;

interface Scope {
  env: Record<string, string>;
  files: ComposeFiles;
  home?: string;
  warnings: string[];
  warn: (msg: string) => void;
  /** Files being included, to refuse an include cycle. */
  including: string[];
}

export function loadComposeProject(opts: ComposeLoadOptions, files: ComposeFiles): LoadedProject {
  if (!opts.files.length) throw invalidArgument('no configuration file provided');
  const workingDir = opts.projectDirectory ?? posix.dirname(opts.files[0]!);
  const osEnv = definedOnly(opts.environment);
  const envFiles = opts.envFiles ?? [posix.join(workingDir, '.env')];
  const fileEnv: Record<string, string> = {};
  for (const f of envFiles) {
    const text = files.read(f);
    if (text === undefined) {
      if (opts.envFiles) throw notFound(`couldn't find env file: ${f}`);
      continue;
    }
    if (files.isDirectory?.(f)) continue;
    Object.assign(fileEnv, parseDotenv(text, (k) => osEnv[k] ?? fileEnv[k], f));
  }
  const env = { ...fileEnv, ...osEnv };
  const warnings: string[] = [];
  const warn = (m: string) => {
    if (warnings.includes(m)) return;
    warnings.push(m);
    opts.onWarning?.(m);
  };
  const scope: Scope = { env, files, home: opts.home, warnings, warn, including: [] };
  const raw = stripMergeTags(loadFiles(opts.files, scope)) as Dict;

  const name = projectName({ flag: opts.projectName, env: env.COMPOSE_PROJECT_NAME, file: raw.name, workingDir });
  const project = normalizeProject(raw, {
    name,
    workingDir,
    home: opts.home,
    lookup: (k) => env[k],
    readEnvFile: (p) => {
      const text = files.read(p);
      return text === undefined ? undefined : parseDotenv(text, (k) => env[k], p);
    },
  });
  const allProfiles = [...new Set(Object.values(project.services).flatMap((s) => s.profiles ?? []))].sort();
  const selection = selectServices(project.services, activeProfiles(opts.profiles, env.COMPOSE_PROFILES), opts.services);
  project.services = selection.enabled;
  checkConsistency(project);
  return {
    project,
    workingDir,
    files: opts.files,
    allProfiles,
    disabledServices: selection.disabled,
    environment: env,
    warnings: scope.warnings,
  };
}

/** Reads, interpolates, validates and merges files in order (include and extends applied to each). */
function loadFiles(paths: string[], scope: Scope): Dict {
  let merged: Dict = {};
  for (const path of paths) merged = mergeDocs(merged, loadFile(path, scope));
  return merged;
}

function loadFile(path: string, scope: Scope): Dict {
  const text = scope.files.read(path);
  if (text === undefined) throw notFound(`open ${path}: no such file or directory`);
  const parsed = parseComposeYaml(text, path);
  const interpolated = interpolateTree(parsed, {
    lookup: (k) => scope.env[k],
    warn: scope.warn,
  });
  const doc = castTypes(interpolated) as Dict;
  validateComposeFile(stripMergeTags(doc), path);
  if ('version' in doc) {
    scope.warn(`${path}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
    delete doc.version;
  }
  const withIncludes = applyIncludes(doc, path, scope);
  return applyExtends(withIncludes, path, (other) => loadFile(other, scope), scope.home);
}

/**
 * `include` (docs "Include"): each entry is a project of its own (its own project directory,
 * default the directory of its first file, and its own `.env`, under the including project's
 * variables), loaded whole and its resources added; one the including file also defines is an
 * error unless both are identical.
 */
function applyIncludes(doc: Dict, path: string, scope: Scope): Dict {
  const includes = doc.include;
  delete doc.include;
  if (!Array.isArray(includes)) return doc;
  const dir = posix.dirname(path);
  let out = doc;
  for (const entry of includes) {
    const e = (typeof entry === 'string' ? { path: entry } : entry) as { path: string | string[]; project_directory?: string; env_file?: string | string[] };
    const paths = (Array.isArray(e.path) ? e.path : [e.path]).map((p) => resolvePath(p, dir, scope.home));
    if (scope.including.includes(paths[0]!)) throw invalidArgument(`include cycle detected: ${[...scope.including, paths[0]].join(' -> ')}`);
    const projectDir = e.project_directory ? resolvePath(e.project_directory, dir, scope.home) : posix.dirname(paths[0]!);
    const envFiles = e.env_file === undefined ? [posix.join(projectDir, '.env')] : (Array.isArray(e.env_file) ? e.env_file : [e.env_file]).map((f) => resolvePath(f, dir, scope.home));
    const included: Record<string, string> = {};
    for (const f of envFiles) {
      const text = scope.files.read(f);
      if (text === undefined) {
        if (e.env_file !== undefined) throw notFound(`couldn't find env file: ${f}`);
        continue;
      }
      Object.assign(included, parseDotenv(text, (k) => scope.env[k] ?? included[k], f));
    }
    const sub: Scope = { ...scope, env: { ...included, ...scope.env }, including: [...scope.including, path] };
    const imported = rebaseDocument(stripMergeTags(loadFiles(paths, sub)) as Dict, projectDir, scope.home);
    out = importResources(out, imported);
  }
  return out;
}

function importResources(target: Dict, source: Dict): Dict {
  const out: Dict = { ...target };
  for (const kind of ['services', 'volumes', 'networks', 'secrets', 'configs', 'models']) {
    const src = source[kind];
    if (!isPlainObject(src)) continue;
    const dst: Dict = { ...((out[kind] as Dict | undefined) ?? {}) };
    for (const [name, value] of Object.entries(src)) {
      if (name in dst && JSON.stringify(dst[name]) !== JSON.stringify(value)) {
        throw invalidArgument(`${kind}.${name} conflicts with imported resource`);
      }
      dst[name] = value;
    }
    out[kind] = dst;
  }
  return out;
}

/** compose-go's checkConsistency: what a service names must exist. */
function checkConsistency(project: ComposeProject): void {
  const invalid = (msg: string) => invalidArgument(`${msg}: invalid compose project`);
  for (const [name, s] of Object.entries(project.services) as [string, ServiceConfig][]) {
    if (!s.image && !s.build && !s.provider) throw invalid(`service "${name}" has neither an image nor a build context specified`);
    for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
      if (d.required && !project.services[dep]) throw invalid(`service "${name}" depends on undefined service "${dep}"`);
    }
    for (const net of Object.keys(s.networks ?? {})) {
      if (!project.networks?.[net]) throw invalid(`service "${name}" refers to undefined network ${net}`);
    }
    for (const v of s.volumes ?? []) {
      if (v.type === 'volume' && v.source && !project.volumes?.[v.source]) throw invalid(`service "${name}" refers to undefined volume ${v.source}`);
    }
    for (const kind of ['secrets', 'configs'] as const) {
      for (const r of s[kind] ?? []) {
        if (!project[kind]?.[r.source]) throw invalid(`service "${name}" refers to undefined ${kind.slice(0, -1)} ${r.source}`);
      }
    }
  }
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
