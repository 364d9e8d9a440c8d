/**
 * containers-policy.json(5): which images may be pulled, as containers/image decides it. Read from
 * the file the caller names, else $SKIFF_SIGNATURE_POLICY, else /etc/skiff/policy.json, else
 * /etc/containers/policy.json. With none of them, skiff accepts anything (as before it read
 * policies); Podman refuses to run without one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { invalidArgument } from '../../core/errdefs.js';
import type { Reference } from '../../core/images/reference.js';
import { parseSignedIdentity, type SignedIdentity } from './identity.js';

export const SKIFF_POLICY = '/etc/skiff/policy.json';
export const CONTAINERS_POLICY = '/etc/containers/policy.json';

export type Requirement =
  | { type: 'insecureAcceptAnything' }
  | { type: 'reject' }
  | { type: 'signedBy'; keyType: 'GPGKeys'; keyPaths?: string[]; keyData?: string; signedIdentity: SignedIdentity }
  /** public keys only: Fulcio and Rekor are refused when the policy is read */
  | { type: 'sigstoreSigned'; keyPath?: string; keyData?: string; signedIdentity: SignedIdentity };

export interface Policy {
  /** the file read, or undefined for the built-in accept-anything policy */
  file?: string;
  default: Requirement[];
  /** transport → scope ('' is the transport's own default) → requirements */
  transports: Record<string, Record<string, Requirement[]>>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function onlyKeys(o: Obj, allowed: string[], what: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw invalidArgument(`${what}: unknown field "${k}"`);
}

function parseRequirement(v: unknown, what: string): Requirement {
  if (!isObj(v) || typeof v.type !== 'string') throw invalidArgument(`${what}: a requirement must be an object with a "type"`);
  switch (v.type) {
    case 'insecureAcceptAnything':
    case 'reject':
      onlyKeys(v, ['type'], `${what} (${v.type})`);
      return { type: v.type };
    case 'signedBy': {
      const w = `${what} (signedBy)`;
      onlyKeys(v, ['type', 'keyType', 'keyPath', 'keyPaths', 'keyData', 'signedIdentity'], w);
      if (v.keyType !== 'GPGKeys') throw invalidArgument(`${w}: keyType "${String(v.keyType)}" is not supported (only GPGKeys)`);
      const given = ['keyPath', 'keyPaths', 'keyData'].filter((k) => v[k] !== undefined);
      if (given.length !== 1) throw invalidArgument(`${w}: exactly one of keyPath, keyPaths and keyData must be set`);
      const r: Requirement = { type: 'signedBy', keyType: 'GPGKeys', signedIdentity: parseSignedIdentity(v.signedIdentity, w) };
      if (typeof v.keyPath === 'string') r.keyPaths = [v.keyPath];
      else if (Array.isArray(v.keyPaths) && v.keyPaths.length > 0 && v.keyPaths.every((p) => typeof p === 'string')) r.keyPaths = v.keyPaths as string[];
      else if (typeof v.keyData === 'string') r.keyData = v.keyData;
      else throw invalidArgument(`${w}: ${given[0]} must be ${given[0] === 'keyPaths' ? 'a non-empty list of paths' : 'a string'}`);
      return r;
    }
    case 'sigstoreSigned': {
      const w = `${what} (sigstoreSigned)`;
      onlyKeys(v, ['type', 'keyPath', 'keyData', 'fulcio', 'rekorPublicKeyPath', 'rekorPublicKeyData', 'signedIdentity'], w);
      for (const k of ['fulcio', 'rekorPublicKeyPath', 'rekorPublicKeyData']) if (v[k] !== undefined) throw invalidArgument(`${w}: ${k} is not supported by skiff (public keys only)`);
      const given = ['keyPath', 'keyData'].filter((k) => v[k] !== undefined);
      if (given.length !== 1) throw invalidArgument(`${w}: exactly one of keyPath and keyData must be set`);
      if (typeof v[given[0]!] !== 'string' || !v[given[0]!]) throw invalidArgument(`${w}: ${given[0]} must be a string`);
      const r: Requirement = { type: 'sigstoreSigned', signedIdentity: parseSignedIdentity(v.signedIdentity, w) };
      if (typeof v.keyPath === 'string') r.keyPath = v.keyPath;
      else r.keyData = v.keyData as string;
      return r;
    }
    default:
      throw invalidArgument(`${what}: unknown requirement type "${v.type}"`);
  }
}

function parseRequirements(v: unknown, what: string): Requirement[] {
  if (!Array.isArray(v) || v.length === 0) throw invalidArgument(`${what}: must be a non-empty list of requirements`);
  return v.map((r, i) => parseRequirement(r, `${what}[${i}]`));
}

/** Parses the file's text; `file` only names it in errors. */
export function parsePolicy(source: string, file = 'policy.json'): Policy {
  let doc: unknown;
  try {
    doc = JSON.parse(source);
  } catch (e) {
    throw invalidArgument(`parsing ${file}: ${(e as Error).message}`, e);
  }
  if (!isObj(doc)) throw invalidArgument(`${file}: must hold a JSON object`);
  onlyKeys(doc, ['default', 'transports'], file);
  const policy: Policy = { file, default: parseRequirements(doc.default, `${file}: default`), transports: {} };
  if (doc.transports !== undefined) {
    if (!isObj(doc.transports)) throw invalidArgument(`${file}: transports must be an object`);
    for (const [t, scopes] of Object.entries(doc.transports)) {
      if (!isObj(scopes)) throw invalidArgument(`${file}: transports.${t} must be an object of scopes`);
      policy.transports[t] = {};
      for (const [scope, reqs] of Object.entries(scopes)) {
        if (t === 'docker' && scope !== '') checkDockerScope(scope, file);
        if (t === 'docker-archive' && scope !== '') throw invalidArgument(`${file}: transports.docker-archive["${scope}"]: docker-archive has no scopes but "" (as containers/image)`);
        policy.transports[t]![scope] = parseRequirements(reqs, `${file}: transports.${t}["${scope}"]`);
      }
    }
  }
  return policy;
}

function checkDockerScope(scope: string, file: string): void {
  if (scope.startsWith('*.')) {
    if (scope.includes('/')) throw invalidArgument(`${file}: docker scope "${scope}": a wildcard names a host only`);
  }
}

/** The policy file in force: `explicit`, else the environment's, else the system's; undefined when none exists. */
export function policyPath(explicit?: string): string | undefined {
  if (explicit) return explicit;
  const env = process.env.SKIFF_SIGNATURE_POLICY;
  if (env) return env;
  for (const f of [SKIFF_POLICY, CONTAINERS_POLICY]) if (existsSync(f)) return f;
  return undefined;
}

export function loadPolicy(explicit?: string): Policy {
  const file = policyPath(explicit);
  if (file === undefined) return { default: [{ type: 'insecureAcceptAnything' }], transports: {} };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw invalidArgument(`reading signature policy ${file}: ${(e as Error).message}`, e);
  }
  return parsePolicy(text, file);
}

/**
 * The scopes a docker reference falls in, most specific first, as containers/image lists them:
 * the full reference, the repository, each namespace up the path, the registry host, then
 * `*.domain` wildcards from the longest.
 */
export function dockerScopes(ref: Reference): string[] {
  const repo = `${ref.domain}/${ref.path}`;
  const scopes: string[] = [];
  if (ref.digest !== undefined) scopes.push(`${repo}@${ref.digest}`);
  else if (ref.tag !== undefined) scopes.push(`${repo}:${ref.tag}`);
  scopes.push(repo);
  for (let p = repo; p.includes('/'); ) {
    p = p.slice(0, p.lastIndexOf('/'));
    scopes.push(p);
  }
  const host = ref.domain.replace(/:[0-9]+$/, '');
  if (!host.startsWith('[')) {
    const labels = host.split('.');
    for (let i = 1; i < labels.length; i++) scopes.push(`*.${labels.slice(i).join('.')}`);
  }
  return scopes;
}

/** The requirements for pulling `ref` from a registry, and the scope they came from (for errors). */
export function requirementsFor(policy: Policy, ref: Reference): { scope: string; requirements: Requirement[] } {
  const docker = policy.transports.docker;
  if (docker) {
    for (const s of dockerScopes(ref)) {
      const r = docker[s];
      if (r) return { scope: `transports.docker["${s}"]`, requirements: r };
    }
    if (docker['']) return { scope: 'transports.docker[""]', requirements: docker['']! };
  }
  return { scope: 'default', requirements: policy.default };
}

/**
 * The scopes of a path-based transport (`oci`, `oci-archive`), most specific first, as
 * containers/image names them: the resolved path (with `:name` when one is given), then the path
 * and each directory above it, never "/". docker-archive has none: only its "" scope applies.
 */
export function pathScopes(transport: string, resolvedPath: string, name?: string): string[] {
  if (transport === 'docker-archive') return [];
  const out = name ? [`${resolvedPath}:${name}`] : [];
  for (let p = resolvedPath; p !== '/' && p.includes('/'); p = p.slice(0, p.lastIndexOf('/')) || '/') out.push(p);
  return out;
}

/** The requirements for reading an image through a transport other than docker, and the scope they came from. */
export function requirementsForTransport(policy: Policy, transport: string, scopes: string[]): { scope: string; requirements: Requirement[] } {
  const t = policy.transports[transport];
  if (t) {
    for (const s of scopes) {
      const r = t[s];
      if (r) return { scope: `transports.${transport}["${s}"]`, requirements: r };
    }
    if (t['']) return { scope: `transports.${transport}[""]`, requirements: t['']! };
  }
  return { scope: 'default', requirements: policy.default };
}
