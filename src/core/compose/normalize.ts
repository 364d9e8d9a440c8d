/**
 * @module compose/normalize
 * The merged Compose document into Docker Compose v2's canonical model (what
 * `docker compose config` prints): short syntaxes expanded (ports, volumes, depends_on,
 * environment, networks, build), relative paths made absolute against the project directory,
 * `env_file` read into `environment` and dropped (as `config` does with compose-go's
 * WithDiscardEnvFile), the `default` network added for services without `network_mode`/`networks`,
 * and the engine names of networks, volumes, secrets and configs set to `<project>_<key>`;
 * sizes, durations and numbers as compose-go prints them (`units.ts`).
 */
import { posix } from 'node:path';
import { invalidArgument } from '../errdefs.js';
import { isPlainObject } from './interpolate.js';
import { orderPort, orderVolume, parsePortShort, parseVolumeShort, toMapping } from './short-syntax.js';
import { splitShellWords } from './shell-words.js';
import { canonicalServiceUnits } from './units.js';
import type {
  BuildConfig,
  ComposeProject,
  DependsOnConfig,
  FileObjectConfig,
  Mapping,
  NetworkConfig,
  ServiceConfig,
  ServicePortConfig,
  ServiceVolumeConfig,
  VolumeConfig,
} from './types.js';

type Dict = Record<string, unknown>;

export interface NormalizeContext {
  name: string;
  workingDir: string;
  home?: string;
  /** The variables a bare `environment: [FOO]` takes its value from. */
  lookup: (name: string) => string | undefined;
  /** Reads one env_file (absolute path) into variables; undefined when it does not exist. */
  readEnvFile: (path: string) => Record<string, string> | undefined;
}

export function resolvePath(p: string, base: string, home?: string): string {
  if (p === '~' || p.startsWith('~/')) return home ? posix.join(home, p.slice(1)) : p;
  return posix.isAbsolute(p) ? posix.normalize(p) : posix.join(base, p);
}

export function normalizeProject(raw: Dict, ctx: NormalizeContext): ComposeProject {
  const project: ComposeProject = { name: ctx.name, services: {} };
  const services = (raw.services ?? {}) as Record<string, Dict>;
  for (const name of Object.keys(services).sort()) project.services[name] = normalizeService(name, services[name] ?? {}, ctx);
  const networks = named(raw.networks, ctx, (n) => normalizeNetwork(n));
  const usesDefault = Object.values(project.services).some((s) => s.networks && 'default' in s.networks);
  if (usesDefault && !networks.default) networks.default = { name: `${ctx.name}_default` };
  if (Object.keys(networks).length) project.networks = sortKeys(networks);
  const volumes = named(raw.volumes, ctx, (v) => v as VolumeConfig);
  if (Object.keys(volumes).length) project.volumes = volumes;
  for (const kind of ['secrets', 'configs'] as const) {
    const objs = named(raw[kind], ctx, (o) => fileObject(o, ctx));
    if (Object.keys(objs).length) project[kind] = objs;
  }
  if (isPlainObject(raw.models)) project.models = raw.models as ComposeProject['models'];
  for (const [k, v] of Object.entries(raw)) if (k.startsWith('x-')) project[k as `x-${string}`] = v;
  return project;
}

/** Top-level resources: `name` is `<project>_<key>`, or the key itself for an external one. */
function named<T extends { name: string }>(section: unknown, ctx: NormalizeContext, shape: (d: Dict) => T): Record<string, T> {
  const out: Record<string, T> = {};
  if (!isPlainObject(section)) return out;
  for (const key of Object.keys(section).sort()) {
    const d = { ...((section[key] ?? {}) as Dict) };
    const external = d.external === true || d.external === 'true' || isPlainObject(d.external);
    if (isPlainObject(d.external)) {
      // The legacy `external: {name: x}` form.
      d.name ??= d.external.name;
      d.external = true;
    } else if (external) d.external = true;
    const name = typeof d.name === 'string' ? d.name : external ? key : `${ctx.name}_${key}`;
    if (d.labels !== undefined) d.labels = labels(d.labels);
    out[key] = shape({ name, ...withoutKey(d, 'name') });
  }
  return out;
}

function normalizeNetwork(d: Dict): NetworkConfig {
  return d as NetworkConfig;
}

function fileObject(d: Dict, ctx: NormalizeContext): FileObjectConfig {
  const out = { ...d } as FileObjectConfig;
  if (typeof out.file === 'string') out.file = resolvePath(out.file, ctx.workingDir, ctx.home);
  return out;
}

function normalizeService(name: string, s: Dict, ctx: NormalizeContext): ServiceConfig {
  const out: Dict = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'extends' || k === 'env_file' || k === 'label_file') continue;
    out[k] = v;
  }
  if (s.build !== undefined) out.build = build(s.build, ctx);
  for (const k of ['command', 'entrypoint'] as const) {
    if (typeof s[k] === 'string') out[k] = splitShellWords(s[k]);
    else if (Array.isArray(s[k])) out[k] = (s[k] as unknown[]).map(String);
  }
  if (s.depends_on !== undefined) out.depends_on = dependsOn(s.depends_on);
  const implicit = implicitDependencies(s);
  if (Object.keys(implicit).length) out.depends_on = sortKeys({ ...implicit, ...((out.depends_on as Record<string, DependsOnConfig> | undefined) ?? {}) });
  const env = environment(name, s, ctx);
  if (env) out.environment = env;
  else delete out.environment;
  if (s.labels !== undefined || s.label_file !== undefined) out.labels = serviceLabels(s, ctx);
  if (s.annotations !== undefined) out.annotations = labels(s.annotations);
  // compose-go's Mapping: the list form (`- net.core.somaxconn=1024`) too, values strings.
  if (s.sysctls !== undefined) out.sysctls = labels(s.sysctls, 'sysctls');
  if (s.expose !== undefined) out.expose = (s.expose as unknown[]).map(String);
  for (const k of ['dns', 'dns_search', 'tmpfs'] as const) if (typeof s[k] === 'string') out[k] = [s[k]];
  if (s.ports !== undefined) out.ports = (s.ports as unknown[]).flatMap(port);
  if (s.volumes !== undefined) out.volumes = (s.volumes as unknown[]).map((v) => volume(v, ctx));
  for (const k of ['secrets', 'configs'] as const) {
    if (Array.isArray(s[k])) out[k] = (s[k] as unknown[]).map((r) => (typeof r === 'string' ? { source: r } : r));
  }
  if (isPlainObject(s.healthcheck) && typeof s.healthcheck.test === 'string') {
    out.healthcheck = { ...s.healthcheck, test: ['CMD-SHELL', s.healthcheck.test] };
  }
  if (s.network_mode === undefined) {
    out.networks = s.networks === undefined ? { default: null } : serviceNetworks(s.networks);
  }
  if (s.profiles !== undefined) out.profiles = (s.profiles as unknown[]).map(String);
  canonicalServiceUnits(out);
  return sortKeys(out) as ServiceConfig;
}

const isRemoteContext = (c: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(c) || c.startsWith('git@') || c.startsWith('github.com/');

function build(v: unknown, ctx: NormalizeContext): BuildConfig {
  const b: Dict = typeof v === 'string' ? { context: v } : { ...(v as Dict) };
  const context = typeof b.context === 'string' ? b.context : '.';
  b.context = isRemoteContext(context) ? context : resolvePath(context, ctx.workingDir, ctx.home);
  if (b.dockerfile === undefined && b.dockerfile_inline === undefined) b.dockerfile = 'Dockerfile';
  if (b.args !== undefined) {
    const args: Mapping = {};
    for (const [k, a] of Object.entries(toMapping(b.args, 'build.args'))) args[k] = a === null ? (ctx.lookup(k) ?? null) : scalar(a);
    b.args = sortKeys(args);
  }
  if (b.labels !== undefined) b.labels = labels(b.labels);
  return sortKeys(b) as BuildConfig;
}

/**
 * What `links`, `volumes_from` and a `service:NAME` namespace make a service depend on, as
 * compose-go's normalisation adds them (a declared `depends_on` entry wins).
 */
function implicitDependencies(s: Dict): Record<string, DependsOnConfig> {
  const out: Record<string, DependsOnConfig> = {};
  for (const l of (s.links as unknown[] | undefined) ?? []) out[String(l).split(':')[0]!] ??= { condition: 'service_started', restart: true, required: true };
  for (const k of ['network_mode', 'ipc', 'pid', 'uts', 'cgroup']) {
    const v = s[k];
    if (typeof v === 'string' && v.startsWith('service:')) out[v.slice(8)] ??= { condition: 'service_started', restart: true, required: true };
  }
  for (const v of (s.volumes_from as unknown[] | undefined) ?? []) {
    const ref = String(v);
    if (!ref.startsWith('container:')) out[ref.replace(/^service:/, '').split(':')[0]!] ??= { condition: 'service_started', required: true };
  }
  return out;
}

function dependsOn(v: unknown): Record<string, DependsOnConfig> {
  const out: Record<string, DependsOnConfig> = {};
  if (Array.isArray(v)) {
    for (const n of v) out[String(n)] = { condition: 'service_started', required: true };
    return sortKeys(out);
  }
  for (const [n, d] of Object.entries(v as Record<string, Dict | null>)) {
    const c: DependsOnConfig = { condition: (d?.condition as DependsOnConfig['condition']) ?? 'service_started', required: true };
    if (d?.restart === true || d?.restart === 'true') c.restart = true;
    c.required = !(d?.required === false || d?.required === 'false');
    out[n] = { condition: c.condition, ...(c.restart ? { restart: true } : {}), required: c.required };
  }
  return sortKeys(out);
}

/** env_file entries first (in order), then `environment` over them; a bare name takes the OS value. */
function environment(service: string, s: Dict, ctx: NormalizeContext): Mapping | undefined {
  if (s.environment === undefined && s.env_file === undefined) return undefined;
  const out: Mapping = {};
  const files = s.env_file === undefined ? [] : Array.isArray(s.env_file) ? s.env_file : [s.env_file];
  for (const f of files) {
    const entry = typeof f === 'string' ? { path: f, required: true } : (f as { path: string; required?: boolean | string });
    const path = resolvePath(entry.path, ctx.workingDir, ctx.home);
    const vars = ctx.readEnvFile(path);
    if (vars === undefined) {
      if (entry.required === false || entry.required === 'false') continue;
      throw invalidArgument(`env file ${path} not found: stat ${path}: no such file or directory`);
    }
    Object.assign(out, vars);
  }
  for (const [k, v] of Object.entries(toMapping(s.environment, `services.${service}.environment`))) {
    out[k] = v === null ? (ctx.lookup(k) ?? null) : scalar(v);
  }
  return sortKeys(out);
}

/** `label_file` entries first (in order, read as env files are), then `labels` over them; compose-go drops the key. */
function serviceLabels(s: Dict, ctx: NormalizeContext): Record<string, string> {
  const out: Record<string, string> = {};
  const files = s.label_file === undefined ? [] : Array.isArray(s.label_file) ? s.label_file : [s.label_file];
  for (const f of files) {
    const path = resolvePath(String(f), ctx.workingDir, ctx.home);
    const vars = ctx.readEnvFile(path);
    if (vars === undefined) throw invalidArgument(`label file ${path} not found: stat ${path}: no such file or directory`);
    Object.assign(out, vars);
  }
  return sortKeys({ ...out, ...(s.labels !== undefined ? labels(s.labels) : {}) });
}

function labels(v: unknown, what = 'labels'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, l] of Object.entries(toMapping(v, what))) out[k] = l === null ? '' : scalar(l);
  return sortKeys(out);
}

function scalar(v: unknown): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function port(p: unknown): ServicePortConfig[] {
  if (typeof p === 'string' || typeof p === 'number') return parsePortShort(p);
  const d = { ...(p as Dict) };
  if (d.target !== undefined) d.target = Number(d.target);
  if (d.published !== undefined && d.published !== null) d.published = String(d.published);
  d.mode ??= 'ingress';
  d.protocol ??= 'tcp';
  return [orderPort(d as unknown as ServicePortConfig & Dict)];
}

function volume(v: unknown, ctx: NormalizeContext): ServiceVolumeConfig {
  const d = (typeof v === 'string' ? parseVolumeShort(v) : { ...(v as Dict) }) as ServiceVolumeConfig & Dict;
  if (d.type === 'bind' && typeof d.source === 'string') d.source = resolvePath(d.source, ctx.workingDir, ctx.home);
  const ro: unknown = d.read_only;
  if (ro === 'true' || ro === 'false') d.read_only = ro === 'true';
  if (d.type === 'volume' && d.volume === undefined) d.volume = {};
  return orderVolume(d);
}

function serviceNetworks(v: unknown): Record<string, Dict | null> {
  if (Array.isArray(v)) return sortKeys(Object.fromEntries(v.map((n) => [String(n), null])));
  return sortKeys({ ...(v as Record<string, Dict | null>) });
}

function withoutKey(d: Dict, key: string): Dict {
  const { [key]: _dropped, ...rest } = d;
  return rest;
}

/** Go's YAML and JSON encoders write map keys sorted; compose-go's services mostly follow. */
export function sortKeys<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]])) as T;
}
