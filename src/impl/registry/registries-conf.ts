/**
 * containers-registries.conf(5) v2: which registry a name really goes to. Read from
 * /etc/containers/registries.conf, then /etc/skiff/registries.conf over it; SKIFF_REGISTRIES_CONF
 * names the only file read instead (tests, or a user who wants nothing from the system).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { EngineError, invalidArgument } from '../../core/errdefs.js';
import { normalizeReference, parseReference, type Reference } from '../../core/images/reference.js';

export const CONTAINERS_REGISTRIES_CONF = '/etc/containers/registries.conf';
export const SKIFF_REGISTRIES_CONF = '/etc/skiff/registries.conf';

export interface Endpoint {
  /** `host[:port][/path]` that replaces the matched prefix */
  location: string;
  insecure: boolean;
}

export type PullFromMirror = 'all' | 'digest-only' | 'tag-only';

export interface RegistryEntry extends Endpoint {
  prefix: string;
  blocked: boolean;
  mirrors: (Endpoint & { pullFromMirror: PullFromMirror })[];
}

export interface RegistriesConf {
  unqualifiedSearch: string[];
  registries: RegistryEntry[];
  /** short name → fully qualified name */
  aliases: Record<string, string>;
}

/** One place to try: the registry host, the repository path on it, and whether plain HTTP is allowed there. */
export interface Source {
  host: string;
  path: string;
  insecure: boolean;
  mirror: boolean;
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => !!v && typeof v === 'object' && !Array.isArray(v);

function strings(v: unknown, what: string, file: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw invalidArgument(`${file}: ${what} must be a list of strings`);
  return v as string[];
}

function bool(t: Table, key: string, file: string): boolean {
  const v = t[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw invalidArgument(`${file}: ${key} must be true or false`);
  return v;
}

function text(t: Table, key: string, file: string): string | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidArgument(`${file}: ${key} must be a string`);
  return v;
}

export function emptyRegistriesConf(): RegistriesConf {
  return { unqualifiedSearch: [], registries: [], aliases: {} };
}

/** Parses one file's text; `file` only names it in errors. */
export function parseRegistriesConf(source: string, file = 'registries.conf'): RegistriesConf {
  let doc: Table;
  try {
    doc = parse(source) as Table;
  } catch (e) {
    throw invalidArgument(`parsing ${file}: ${(e as Error).message}`, e);
  }
  if (doc.registries !== undefined && !Array.isArray(doc.registry)) {
    // v1's [registries.search] tables: refuse rather than silently ignore the user's intent.
    throw invalidArgument(`${file}: the v1 format ([registries.search] …) is not supported; use version 2`);
  }
  const conf = emptyRegistriesConf();
  conf.unqualifiedSearch = strings(doc['unqualified-search-registries'], 'unqualified-search-registries', file);
  const regs = doc.registry ?? [];
  if (!Array.isArray(regs)) throw invalidArgument(`${file}: registry must be an array of tables ([[registry]])`);
  for (const r of regs) {
    if (!isTable(r)) throw invalidArgument(`${file}: each [[registry]] must be a table`);
    const location = text(r, 'location', file) ?? '';
    const prefix = text(r, 'prefix', file) || location;
    if (!prefix) throw invalidArgument(`${file}: a [[registry]] needs a prefix or a location`);
    const mirrors = r.mirror ?? [];
    if (!Array.isArray(mirrors)) throw invalidArgument(`${file}: mirror must be an array of tables ([[registry.mirror]])`);
    const pfm = text(r, 'pull-from-mirror', file);
    conf.registries.push({
      prefix,
      location: location || prefix,
      insecure: bool(r, 'insecure', file),
      blocked: bool(r, 'blocked', file),
      mirrors: mirrors.map((m) => {
        if (!isTable(m)) throw invalidArgument(`${file}: each [[registry.mirror]] must be a table`);
        const loc = text(m, 'location', file);
        if (!loc) throw invalidArgument(`${file}: a [[registry.mirror]] of ${prefix} has no location`);
        const mode = text(m, 'pull-from-mirror', file) ?? pfm ?? 'all';
        if (mode !== 'all' && mode !== 'digest-only' && mode !== 'tag-only') {
          throw invalidArgument(`${file}: pull-from-mirror must be all, digest-only or tag-only, not "${mode}"`);
        }
        return { location: loc, insecure: bool(m, 'insecure', file), pullFromMirror: mode };
      }),
    });
  }
  const aliases = doc.aliases ?? {};
  if (!isTable(aliases)) throw invalidArgument(`${file}: [aliases] must be a table`);
  for (const [k, v] of Object.entries(aliases)) {
    if (typeof v !== 'string') throw invalidArgument(`${file}: alias "${k}" must be a string`);
    conf.aliases[k] = v;
  }
  return conf;
}

/** Later files override earlier ones as containers/image merges drop-ins: per prefix, per alias, whole search list. */
function merge(base: RegistriesConf, over: RegistriesConf): RegistriesConf {
  const byPrefix = new Map(base.registries.map((r) => [r.prefix, r]));
  for (const r of over.registries) byPrefix.set(r.prefix, r);
  return {
    unqualifiedSearch: over.unqualifiedSearch.length ? over.unqualifiedSearch : base.unqualifiedSearch,
    registries: [...byPrefix.values()],
    aliases: { ...base.aliases, ...over.aliases },
  };
}

export function loadRegistriesConf(env: NodeJS.ProcessEnv = process.env): RegistriesConf {
  const explicit = env.SKIFF_REGISTRIES_CONF;
  const files = explicit ? [explicit] : [CONTAINERS_REGISTRIES_CONF, SKIFF_REGISTRIES_CONF];
  let conf = emptyRegistriesConf();
  for (const f of files) {
    let src: string;
    try {
      src = readFileSync(f, 'utf8');
    } catch (e) {
      if (!explicit && (e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw invalidArgument(`reading ${f}: ${(e as Error).message}`, e);
    }
    conf = merge(conf, parseRegistriesConf(src, f));
  }
  return conf;
}

/** `*.example.com` matches any subdomain's names; otherwise the prefix must end at a path component. */
function matches(prefix: string, name: string): boolean {
  if (prefix.startsWith('*.')) {
    const host = name.split('/')[0]!;
    return host.endsWith(prefix.slice(1));
  }
  return name === prefix || name.startsWith(prefix + '/');
}

/** The [[registry]] whose prefix matches `name` (`host/path`) longest, as containers/image picks it. */
export function findRegistry(conf: RegistriesConf, name: string): RegistryEntry | undefined {
  let best: RegistryEntry | undefined;
  let bestLen = -1;
  for (const r of conf.registries) {
    if (!matches(r.prefix, name)) continue;
    const len = r.prefix.startsWith('*.') ? name.split('/')[0]!.length : r.prefix.length;
    if (len > bestLen) {
      best = r;
      bestLen = len;
    }
  }
  return best;
}

function rewrite(entry: RegistryEntry, name: string, location: string): { host: string; path: string } {
  // A wildcard prefix cannot be rewritten (containers/image forbids location there): keep the name.
  const out = entry.prefix.startsWith('*.') ? name : location + name.slice(entry.prefix.length);
  const slash = out.indexOf('/');
  if (slash < 0) throw invalidArgument(`registries.conf: ${entry.prefix} → ${location} leaves no repository for ${name}`);
  return { host: out.slice(0, slash), path: out.slice(slash + 1) };
}

export function blockedError(name: string, verb: string): EngineError {
  return new EngineError('PermissionDenied', `${verb} ${name}: registry is blocked in registries.conf`);
}

/**
 * Where a pull of `ref` goes: mirrors first (those whose pull-from-mirror admits a tag or
 * digest reference), then the location. Throws when the registry is blocked.
 */
export function pullSources(conf: RegistriesConf, ref: Reference): Source[] {
  const name = `${ref.domain}/${ref.path}`;
  const entry = findRegistry(conf, name);
  if (!entry) return [{ host: ref.domain, path: ref.path, insecure: false, mirror: false }];
  if (entry.blocked) throw blockedError(name, 'pulling');
  const byDigest = ref.digest !== undefined;
  const out: Source[] = [];
  for (const m of entry.mirrors) {
    if ((m.pullFromMirror === 'digest-only' && !byDigest) || (m.pullFromMirror === 'tag-only' && byDigest)) continue;
    out.push({ ...rewrite(entry, name, m.location), insecure: m.insecure, mirror: true });
  }
  out.push({ ...rewrite(entry, name, entry.location), insecure: entry.insecure, mirror: false });
  return out;
}

/** Where a push of `ref` goes: the location only (mirrors are for pulls). Throws when blocked. */
export function pushTarget(conf: RegistriesConf, ref: Reference): Source {
  const name = `${ref.domain}/${ref.path}`;
  const entry = findRegistry(conf, name);
  if (!entry) return { host: ref.domain, path: ref.path, insecure: false, mirror: false };
  if (entry.blocked) throw blockedError(name, 'pushing');
  return { ...rewrite(entry, name, entry.location), insecure: entry.insecure, mirror: false };
}

/**
 * The fully qualified references a name stands for, in the order to try them. A name with a
 * registry is itself; a short name is its alias, else one candidate per
 * unqualified-search-registries entry, else Docker's docker.io normalisation.
 */
export function expandShortName(conf: RegistriesConf, input: string): Reference[] {
  const given = parseReference(input);
  if (given.domain) return [normalizeReference(input)];
  const alias = conf.aliases[given.path];
  if (alias !== undefined) {
    const target = parseReference(alias);
    if (!target.domain) throw invalidArgument(`registries.conf: alias "${given.path}" = "${alias}" must name a registry`);
    // The alias names a repository; the tag or digest the user gave wins over one in the alias.
    const tagged = { ...target, ...(given.tag !== undefined || given.digest !== undefined ? { tag: given.tag, digest: given.digest } : {}) };
    const s = `${tagged.domain}/${tagged.path}${tagged.tag !== undefined ? ':' + tagged.tag : ''}${tagged.digest !== undefined ? '@' + tagged.digest : ''}`;
    return [normalizeReference(s)];
  }
  if (conf.unqualifiedSearch.length === 0) return [normalizeReference(input)];
  return conf.unqualifiedSearch.map((reg) => normalizeReference(`${reg}/${input}`));
}
