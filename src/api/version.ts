import { API_VERSION, MIN_API_VERSION } from '../engine/index.js';

export { API_VERSION, MIN_API_VERSION };

const VERSIONED = /^\/v(\d+)\.(\d+)(\/.*)$/;
/** Podman's bindings put their own version (`/v4.3.1/libpod/...`) before libpod paths. */
const LIBPOD = /^\/v\d+(?:\.\d+){0,2}(\/libpod\/.*)$/;

function cmp(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number) as [number, number];
  const [bm, bn] = b.split('.').map(Number) as [number, number];
  return am - bm || an - bn;
}

export interface VersionedPath {
  path: string;
  version: string;
  /** set when the client's version is outside what we serve: moby's 400 message */
  error?: string;
}

/** `/v1.41/containers/json` → path `/containers/json`, version 1.41; unversioned paths get the newest. */
export function splitVersion(pathname: string): VersionedPath {
  const lib = LIBPOD.exec(pathname);
  if (lib) return { path: lib[1]!, version: API_VERSION };
  const m = VERSIONED.exec(pathname);
  if (!m) return { path: pathname, version: API_VERSION };
  const version = `${m[1]}.${m[2]}`;
  const path = m[3]!;
  if (cmp(version, MIN_API_VERSION) < 0) {
    return {
      path,
      version,
      error: `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
    };
  }
  if (cmp(version, API_VERSION) > 0) {
    return { path, version, error: `client version ${version} is too new. Maximum supported API version is ${API_VERSION}` };
  }
  return { path, version };
}

export function versionAtLeast(version: string, want: string): boolean {
  return cmp(version, want) >= 0;
}
