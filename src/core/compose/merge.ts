/**
 * @module compose/merge
 * Merging Compose documents (several `-f` files, `extends`), by the Compose Specification's
 * merge rules (docs.docker.com/reference/compose-file/merge/) as compose-go's `override`
 * package applies them:
 * - mappings merge key by key, the later file winning on scalars;
 * - sequences append, except those with a unique key where an entry with the same key is
 *   replaced: ports (ip, published, target, protocol), volumes and devices (target),
 *   secrets/configs (target), expose, dns*, cap_*, security_opt, profiles, links, env_file…;
 * - command, entrypoint and healthcheck.test are replaced, never appended;
 * - environment, labels, build.args, sysctls, extra_hosts… merge as mappings whichever form
 *   (list `K=V` or mapping) each file used; depends_on and networks too (a list is a mapping
 *   of defaults);
 * - logging: another driver replaces the options too;
 * - `!reset` removes what earlier files set, `!override` replaces it whole.
 */
import { isPlainObject } from './interpolate.js';
import { parsePortShort, parseVolumeShort, toMapping } from './short-syntax.js';
import { OverrideTag, ResetTag } from './yaml-file.js';

type Dict = Record<string, unknown>;

const REPLACED = ['services.*.command', 'services.*.entrypoint', 'services.*.healthcheck.test'];
const AS_MAPPING = [
  'services.*.environment',
  'services.*.labels',
  'services.*.annotations',
  'services.*.build.args',
  'services.*.build.labels',
  'services.*.build.additional_contexts',
  'services.*.build.extra_hosts',
  'services.*.extra_hosts',
  'services.*.sysctls',
  'services.*.deploy.labels',
  'services.*.depends_on',
  'services.*.networks',
  'volumes.*.labels',
  'networks.*.labels',
];
const UNIQUE_BY_SELF = [
  'services.*.cap_add',
  'services.*.cap_drop',
  'services.*.dns',
  'services.*.dns_opt',
  'services.*.dns_search',
  'services.*.expose',
  'services.*.external_links',
  'services.*.links',
  'services.*.profiles',
  'services.*.security_opt',
  'services.*.tmpfs',
  'services.*.group_add',
  'services.*.networks.*.aliases',
  'services.*.networks.*.link_local_ips',
];

function matches(pattern: string, path: string[]): boolean {
  const p = pattern.split('.');
  return p.length === path.length && p.every((seg, i) => seg === '*' || seg === path[i]);
}
const matchesAny = (patterns: string[], path: string[]) => patterns.some((p) => matches(p, path));

/** Merges `override` onto `base` (neither is modified). */
export function mergeDocs(base: Dict, override: Dict): Dict {
  return mergeMapping(base, override, []);
}

function mergeMapping(base: Dict, override: Dict, path: string[]): Dict {
  const out: Dict = { ...base };
  for (const [k, ov] of Object.entries(override)) {
    if (ov instanceof ResetTag) {
      delete out[k];
      continue;
    }
    out[k] = k in base ? mergeValue(base[k], ov, [...path, k]) : ov;
  }
  return out;
}

function mergeValue(base: unknown, ov: unknown, path: string[]): unknown {
  if (ov instanceof OverrideTag) return ov;
  if (base === undefined || base === null) return ov;
  if (matchesAny(REPLACED, path)) return ov;
  if (matchesAny(AS_MAPPING, path)) {
    const defaults = matches('services.*.depends_on', path) ? dependsOnDefaults : undefined;
    return mergeMapping(asMapping(base, defaults), asMapping(ov, defaults), path);
  }
  if (matches('services.*.build', path)) return mergeMapping(buildMapping(base), buildMapping(ov), path);
  if (matches('services.*.logging', path) && isPlainObject(base) && isPlainObject(ov)) {
    if (base.driver !== undefined && ov.driver !== undefined && base.driver !== ov.driver) return ov;
    return mergeMapping(base, ov, path);
  }
  if (matches('services.*.ports', path) && Array.isArray(base) && Array.isArray(ov)) {
    return uniqueAppend(base.flatMap(longPort), ov.flatMap(longPort), portKey);
  }
  if (matches('services.*.volumes', path) && Array.isArray(base) && Array.isArray(ov)) {
    return uniqueAppend(base.map(longVolume), ov.map(longVolume), (v) => String((v as Dict).target));
  }
  if (matches('services.*.devices', path) && Array.isArray(base) && Array.isArray(ov)) {
    return uniqueAppend(base, ov, deviceTarget);
  }
  if ((matches('services.*.secrets', path) || matches('services.*.configs', path)) && Array.isArray(base) && Array.isArray(ov)) {
    return uniqueAppend(base, ov, (v) => (typeof v === 'string' ? v : String((v as Dict).target ?? (v as Dict).source)));
  }
  if (matches('services.*.env_file', path)) {
    return uniqueAppend(envFiles(base), envFiles(ov), (v) => String((v as Dict).path));
  }
  if (matchesAny(UNIQUE_BY_SELF, path) && Array.isArray(base) && Array.isArray(ov)) {
    return uniqueAppend(base, ov, (v) => JSON.stringify(v));
  }
  if (matches('services.*.ulimits.*', path) && (!isPlainObject(base) || !isPlainObject(ov))) return ov;
  if (isPlainObject(base) && isPlainObject(ov)) return mergeMapping(base, ov, path);
  if (Array.isArray(base) && Array.isArray(ov)) return [...base, ...ov];
  return ov;
}

/** Appends `ov`'s entries; one whose key an earlier entry has replaces that entry in place. */
function uniqueAppend(base: unknown[], ov: unknown[], key: (v: unknown) => string): unknown[] {
  const out = [...base];
  const index = new Map(out.map((v, i) => [key(v), i]));
  for (const v of ov) {
    const k = key(v);
    const at = index.get(k);
    if (at === undefined) {
      index.set(k, out.length);
      out.push(v);
    } else out[at] = v;
  }
  return out;
}

const dependsOnDefaults = (): Dict => ({ condition: 'service_started', required: true });

function asMapping(v: unknown, defaults?: () => Dict): Dict {
  if (Array.isArray(v) && defaults) return Object.fromEntries(v.map((name) => [String(name), defaults()]));
  return toMapping(v, 'value');
}

function buildMapping(v: unknown): Dict {
  return typeof v === 'string' ? { context: v } : isPlainObject(v) ? v : {};
}

function longPort(p: unknown): unknown[] {
  return typeof p === 'string' || typeof p === 'number' ? parsePortShort(p) : [p];
}

function portKey(p: unknown): string {
  const d = p as Dict;
  return `${String(d.host_ip ?? '')}:${String(d.published ?? '')}:${String(d.target)}/${String(d.protocol ?? 'tcp')}`;
}

function longVolume(v: unknown): unknown {
  return typeof v === 'string' ? parseVolumeShort(v) : v;
}

function deviceTarget(v: unknown): string {
  if (typeof v !== 'string') return String((v as Dict).target ?? (v as Dict).source);
  const parts = v.split(':');
  return parts[1] ?? parts[0]!;
}

function envFiles(v: unknown): Dict[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map((e) => (typeof e === 'string' ? { path: e, required: true } : (e as Dict)));
}

/** Removes `!reset` keys and unwraps `!override` values once merging is done. */
export function stripMergeTags(v: unknown): unknown {
  if (v instanceof OverrideTag) return stripMergeTags(v.value);
  if (Array.isArray(v)) return v.filter((e) => !(e instanceof ResetTag)).map(stripMergeTags);
  if (isPlainObject(v)) {
    const out: Dict = {};
    for (const [k, e] of Object.entries(v)) if (!(e instanceof ResetTag)) out[k] = stripMergeTags(e);
    return out;
  }
  return v;
}
