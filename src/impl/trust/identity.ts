/**
 * signedIdentity of a signedBy requirement: which docker-reference a signature may claim for the
 * image being pulled. The rules are containers/image's (policy_reference_match.go): no default
 * tag is ever added, a name without tag or digest matches nothing exactly.
 */
import { invalidArgument } from '../../core/errdefs.js';
import { DEFAULT_DOMAIN, parseReference, type Reference } from '../../core/images/reference.js';

export type SignedIdentity =
  | { type: 'matchRepoDigestOrExact' }
  | { type: 'matchExact' }
  | { type: 'matchRepository' }
  | { type: 'exactReference'; dockerReference: string }
  | { type: 'exactRepository'; dockerRepository: string }
  | { type: 'remapIdentity'; prefix: string; signedPrefix: string };

type Obj = Record<string, unknown>;

export function parseSignedIdentity(v: unknown, what: string): SignedIdentity {
  if (v === undefined) return { type: 'matchRepoDigestOrExact' };
  const o = v as Obj;
  if (!o || typeof o !== 'object' || typeof o.type !== 'string') throw invalidArgument(`${what}: signedIdentity must be an object with a "type"`);
  const str = (k: string) => {
    if (typeof o[k] !== 'string' || !o[k]) throw invalidArgument(`${what}: signedIdentity ${o.type} needs "${k}"`);
    return o[k] as string;
  };
  switch (o.type) {
    case 'matchRepoDigestOrExact':
    case 'matchExact':
    case 'matchRepository':
      return { type: o.type };
    case 'exactReference': {
      const r = parseNamed(str('dockerReference'));
      if (r.tag === undefined && r.digest === undefined) throw invalidArgument(`${what}: exactReference "${o.dockerReference}" needs a tag or digest`);
      return { type: 'exactReference', dockerReference: o.dockerReference as string };
    }
    case 'exactRepository':
      parseNamed(str('dockerRepository'));
      return { type: 'exactRepository', dockerRepository: o.dockerRepository as string };
    case 'remapIdentity':
      return { type: 'remapIdentity', prefix: str('prefix'), signedPrefix: str('signedPrefix') };
    default:
      throw invalidArgument(`${what}: unknown signedIdentity type "${o.type}"`);
  }
}

/** distribution's ParseNormalizedNamed: docker.io and library/ filled in, no default tag. */
export function parseNamed(s: string): Reference {
  const r = parseReference(s);
  if (!r.domain || r.domain === 'index.docker.io') r.domain = DEFAULT_DOMAIN;
  if (r.domain === DEFAULT_DOMAIN && !r.path.includes('/')) r.path = `library/${r.path}`;
  return r;
}

const nameOf = (r: Reference) => `${r.domain}/${r.path}`;
const nameOnly = (r: Reference) => r.tag === undefined && r.digest === undefined;
function full(r: Reference): string {
  let s = nameOf(r);
  if (r.tag !== undefined) s += `:${r.tag}`;
  if (r.digest !== undefined) s += `@${r.digest}`;
  return s;
}

function repoDigestOrExact(intended: Reference, signed: Reference): boolean {
  if (intended.digest !== undefined) return nameOf(signed) === nameOf(intended);
  if (intended.tag !== undefined) return full(signed) === full(intended);
  return false;
}

/**
 * `prefix` as a scope: a host, a namespace or a repository the image's name lies in (whole path
 * components only); the rest of the reference, tag or digest included, kept after `signedPrefix`.
 */
function remap(intended: Reference, prefix: string, signedPrefix: string): Reference | undefined {
  const name = nameOf(intended);
  if (!(name === prefix || name.startsWith(`${prefix}/`))) return undefined;
  try {
    return parseNamed(signedPrefix + full(intended).slice(prefix.length));
  } catch {
    return undefined;
  }
}

/** Does a signature claiming `claimed` (its docker-reference) cover the image pulled as `intended`? */
export function identityMatches(id: SignedIdentity, intended: Reference, claimed: string): boolean {
  let signed: Reference;
  try {
    signed = parseNamed(claimed);
  } catch {
    return false;
  }
  switch (id.type) {
    case 'matchRepoDigestOrExact':
      return repoDigestOrExact(intended, signed);
    case 'matchExact':
      return !nameOnly(intended) && !nameOnly(signed) && full(signed) === full(intended);
    case 'matchRepository':
      return nameOf(signed) === nameOf(intended);
    case 'exactReference': {
      const want = parseNamed(id.dockerReference);
      return !nameOnly(signed) && full(signed) === full(want);
    }
    case 'exactRepository':
      return nameOf(signed) === nameOf(parseNamed(id.dockerRepository));
    case 'remapIdentity': {
      const mapped = remap(intended, id.prefix, id.signedPrefix) ?? intended;
      return repoDigestOrExact(mapped, signed);
    }
  }
}

export function describeIdentity(id: SignedIdentity): string {
  switch (id.type) {
    case 'exactReference':
      return `exactReference ${id.dockerReference}`;
    case 'exactRepository':
      return `exactRepository ${id.dockerRepository}`;
    case 'remapIdentity':
      return `remapIdentity ${id.prefix} → ${id.signedPrefix}`;
    default:
      return id.type;
  }
}
