/**
 * containers-registries.d(5): where a registry's simple-signing signatures live ("lookaside").
 * Every *.yaml of /etc/containers/registries.d, then of /etc/skiff/registries.d (a scope set
 * there overrides the system's); $SKIFF_REGISTRIES_D, or the caller's directory, is the only one
 * read instead. `sigstore`/`sigstore-staging` are the keys' names before containers/image 5.19.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { invalidArgument } from '../../core/errdefs.js';
import type { Reference } from '../../core/images/reference.js';
import { dockerScopes } from './policy.js';

export const CONTAINERS_REGISTRIES_D = '/etc/containers/registries.d';
export const SKIFF_REGISTRIES_D = '/etc/skiff/registries.d';
/** containers/image's fallback when nothing is configured (running as root) */
export const DEFAULT_LOOKASIDE = 'file:///var/lib/containers/sigstore';

export interface Namespace {
  lookaside?: string;
  lookasideStaging?: string;
  useSigstoreAttachments?: boolean;
}

export interface RegistriesD {
  defaultDocker?: Namespace;
  docker: Record<string, Namespace>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function parseNamespace(v: unknown, what: string): Namespace {
  if (v === null || v === undefined) return {};
  if (!isObj(v)) throw invalidArgument(`${what}: must be a mapping`);
  const ns: Namespace = {};
  const url = (k: string): string | undefined => {
    const x = v[k];
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'string') throw invalidArgument(`${what}: ${k} must be a URL`);
    let u: URL;
    try {
      u = new URL(x);
    } catch {
      throw invalidArgument(`${what}: ${k} "${x}" is not a URL`);
    }
    if (!['file:', 'http:', 'https:'].includes(u.protocol)) throw invalidArgument(`${what}: ${k} "${x}": only file://, http:// and https:// are supported`);
    return x;
  };
  const l = url('lookaside') ?? url('sigstore');
  const s = url('lookaside-staging') ?? url('sigstore-staging');
  if (l !== undefined) ns.lookaside = l;
  if (s !== undefined) ns.lookasideStaging = s;
  if (v['use-sigstore-attachments'] !== undefined) ns.useSigstoreAttachments = v['use-sigstore-attachments'] === true;
  return ns;
}

export function parseRegistriesD(source: string, file: string, into: RegistriesD = { docker: {} }, overriding = false): RegistriesD {
  let doc: unknown;
  try {
    doc = parse(source);
  } catch (e) {
    throw invalidArgument(`parsing ${file}: ${(e as Error).message}`, e);
  }
  if (doc === null || doc === undefined) return into;
  if (!isObj(doc)) throw invalidArgument(`${file}: must hold a mapping`);
  if (doc['default-docker'] !== undefined) {
    if (into.defaultDocker && !overriding) throw invalidArgument(`${file}: default-docker is already set by another file`);
    into.defaultDocker = parseNamespace(doc['default-docker'], `${file}: default-docker`);
  }
  if (doc.docker !== undefined && doc.docker !== null) {
    if (!isObj(doc.docker)) throw invalidArgument(`${file}: docker must map scopes to settings`);
    for (const [scope, v] of Object.entries(doc.docker)) {
      if (into.docker[scope] && !overriding) throw invalidArgument(`${file}: docker scope "${scope}" is already set by another file`);
      into.docker[scope] = parseNamespace(v, `${file}: docker["${scope}"]`);
    }
  }
  return into;
}

function readDir(dir: string, into: RegistriesD, overriding: boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw invalidArgument(`reading ${dir}: ${(e as Error).message}`, e);
  }
  // Within one directory a scope set twice is an error (as containers/image says); across the
  // two directories skiff's wins.
  const mine: RegistriesD = { docker: {} };
  for (const n of names) parseRegistriesD(readFileSync(join(dir, n), 'utf8'), join(dir, n), mine);
  if (mine.defaultDocker) {
    if (into.defaultDocker && !overriding) throw invalidArgument(`${dir}: default-docker set twice`);
    into.defaultDocker = mine.defaultDocker;
  }
  Object.assign(into.docker, mine.docker);
}

export function loadRegistriesD(explicit?: string): RegistriesD {
  const into: RegistriesD = { docker: {} };
  const only = explicit ?? process.env.SKIFF_REGISTRIES_D;
  if (only) {
    readDir(only, into, false);
    return into;
  }
  readDir(CONTAINERS_REGISTRIES_D, into, false);
  readDir(SKIFF_REGISTRIES_D, into, true);
  return into;
}

/**
 * The lookaside base URL for `ref`'s repository: the most specific docker scope that sets one,
 * else default-docker's, then `/<path without host>`, as containers/image builds it; `write`
 * prefers lookaside-staging.
 */
export function lookasideBase(conf: RegistriesD, ref: Reference, write: boolean): string {
  const pick = (ns: Namespace | undefined) => (write ? (ns?.lookasideStaging ?? ns?.lookaside) : ns?.lookaside);
  let base: string | undefined;
  for (const s of dockerScopes(ref)) if ((base = pick(conf.docker[s]))) break;
  base ??= pick(conf.defaultDocker) ?? DEFAULT_LOOKASIDE;
  return `${base.replace(/\/+$/, '')}/${ref.path}`;
}

/** The lookaside base set for a policy scope itself or the nearest namespace above it (Podman's `trust show`). */
export function lookasideForScope(conf: RegistriesD, scope: string): string | undefined {
  for (let s = scope; s; s = s.includes('/') ? s.slice(0, s.lastIndexOf('/')) : '') {
    const l = conf.docker[s]?.lookaside;
    if (l) return l;
  }
  return conf.defaultDocker?.lookaside;
}

/** URL of signature `index` (1-based) of the manifest `digest` under `base`. */
export function signatureUrl(base: string, digest: string, index: number): string {
  const [alg, hex] = digest.split(':');
  return `${base}@${alg}=${hex}/signature-${index}`;
}
