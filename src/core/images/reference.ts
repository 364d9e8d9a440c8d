/**
 * @module reference
 * Image references normalised as Docker's are: `busybox` → `docker.io/library/busybox:latest`,
 * `host:port/repo@sha256:...` kept as given. The grammar is distribution/reference's.
 */
import { invalidArgument } from '../errdefs.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const PORT = /^[0-9]+$/;

export interface Reference {
  /** registry host (with port), e.g. docker.io, localhost:5000 */
  domain: string;
  /** repository path below the domain, e.g. library/busybox */
  path: string;
  tag?: string;
  digest?: string;
}

function isDomain(s: string): boolean {
  if (s === 'localhost') return true;
  if (s.startsWith('[')) return /^\[[0-9a-fA-F:.]+\](?::[0-9]+)?$/.test(s);
  const [host, port, ...rest] = s.split(':');
  if (rest.length || (port !== undefined && !PORT.test(port))) return false;
  return host!.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

/** Parses without defaults: what the user wrote, validated. */
export function parseReference(input: string): Reference {
  if (!input) throw invalidArgument('invalid reference format: empty reference');
  if (input.length > 255 + 72 + 130) throw invalidArgument(`invalid reference format: "${input}" is too long`);
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalidArgument(`invalid reference format: bad digest in "${input}"`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalidArgument(`invalid reference format: bad tag "${tag}" in "${input}"`);
  }
  let domain = '';
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first === 'localhost' || first.includes('.') || first.includes(':') || first !== first.toLowerCase()) {
      if (!isDomain(first)) throw invalidArgument(`invalid reference format: bad registry "${first}" in "${input}"`);
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (!path) throw invalidArgument(`invalid reference format: "${input}" has no repository name`);
  if (path !== path.toLowerCase()) {
    throw invalidArgument(`invalid reference format: repository name (${path}) must be lowercase`);
  }
  for (const c of path.split('/')) {
    if (!COMPONENT.test(c)) throw invalidArgument(`invalid reference format: bad repository name "${path}"`);
  }
  if (domain.length + path.length + 1 > 255) throw invalidArgument('invalid reference format: repository name too long');
  const ref: Reference = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** Parses and fills Docker's defaults (docker.io, library/, :latest unless a digest is given). */
export function normalizeReference(input: string): Reference {
  const ref = parseReference(input);
  if (!ref.domain || ref.domain === LEGACY_DOMAIN) ref.domain = DEFAULT_DOMAIN;
  if (ref.domain === DEFAULT_DOMAIN && !ref.path.includes('/')) ref.path = OFFICIAL_PREFIX + ref.path;
  if (ref.tag === undefined && ref.digest === undefined) ref.tag = 'latest';
  return ref;
}

export function repositoryOf(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

export function formatReference(ref: Reference): string {
  let s = repositoryOf(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** Docker's short form for display: `docker.io/library/busybox` → `busybox`. */
export function familiarRepository(repo: string): string {
  if (repo.startsWith(`${DEFAULT_DOMAIN}/${OFFICIAL_PREFIX}`)) {
    const rest = repo.slice(DEFAULT_DOMAIN.length + 1 + OFFICIAL_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  if (repo.startsWith(`${DEFAULT_DOMAIN}/`)) return repo.slice(DEFAULT_DOMAIN.length + 1);
  return repo;
}

export function familiarName(full: string): string {
  const ref = parseReference(full);
  let s = familiarRepository(repositoryOf({ ...ref, domain: ref.domain || DEFAULT_DOMAIN }));
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}
