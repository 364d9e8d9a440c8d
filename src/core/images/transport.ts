/**
 * @module transport
 * Where an image is, as `skopeo copy` and `podman push` name it: `docker://REF`, `oci:DIR[:REF]`,
 * `oci-archive:FILE[:REF]`, `docker-archive:FILE[:NAME:TAG|:@N]`, `containers-storage:NAME`, or a
 * bare name or ID meaning the local store. As in containers/image, the path ends at the first
 * colon after the transport: a directory with a colon in its name cannot be named here.
 */
import { invalidArgument } from '../errdefs.js';
import { formatReference, normalizeReference } from './reference.js';

export type ImageLocation =
  /** `ref` is normalised: docker.io/library/busybox:latest */
  | { transport: 'docker'; ref: string }
  /** `refName` selects (or, as a destination, names) the index entry by its ref.name annotation */
  | { transport: 'oci'; path: string; refName?: string }
  | { transport: 'oci-archive'; path: string; refName?: string }
  /** `name`: a normalised NAME:TAG; `index`: `@N`, the Nth image of a multi-image archive */
  | { transport: 'docker-archive'; path: string; name?: string; index?: number }
  /** `name` as the user gave it (a name or an ID); undefined for `containers-storage:` alone */
  | { transport: 'local'; name?: string };

function splitPath(rest: string, transport: string): { path: string; ref?: string } {
  const colon = rest.indexOf(':');
  const path = colon < 0 ? rest : rest.slice(0, colon);
  if (!path) throw invalidArgument(`${transport}: no path given`);
  const ref = colon < 0 ? undefined : rest.slice(colon + 1);
  return ref ? { path, ref } : { path };
}

function normalized(name: string, what: string): string {
  try {
    return formatReference(normalizeReference(name));
  } catch (e) {
    throw invalidArgument(`${what}: "${name}" is not a valid image name`, e);
  }
}

/** Parses an image location; anything without a known `transport:` prefix is a local image. */
export function parseImageLocation(input: string): ImageLocation {
  if (input.startsWith('docker://')) {
    const ref = input.slice('docker://'.length);
    if (!ref) throw invalidArgument('docker://: no image reference given');
    return { transport: 'docker', ref: normalized(ref, 'docker://') };
  }
  const colon = input.indexOf(':');
  const prefix = colon < 0 ? '' : input.slice(0, colon);
  const rest = input.slice(colon + 1);
  switch (prefix) {
    case 'docker':
      throw invalidArgument(`"${input}": the docker transport is written docker://HOST/REPO[:TAG]`);
    case 'oci':
    case 'oci-archive': {
      const { path, ref } = splitPath(rest, prefix);
      return ref === undefined ? { transport: prefix, path } : { transport: prefix, path, refName: ref };
    }
    case 'docker-archive': {
      const { path, ref } = splitPath(rest, prefix);
      if (ref === undefined) return { transport: prefix, path };
      if (ref.startsWith('@')) {
        const n = Number(ref.slice(1));
        if (!/^@\d+$/.test(ref)) throw invalidArgument(`docker-archive: "${ref}" is not @N (an image's position in the archive)`);
        return { transport: prefix, path, index: n };
      }
      return { transport: prefix, path, name: normalized(ref, 'docker-archive') };
    }
    case 'containers-storage': {
      // containers-storage:[driver@root]NAME: the bracketed store spec is podman's; skiff has one store.
      const name = rest.replace(/^\[[^\]]*\]/, '');
      return name ? { transport: 'local', name } : { transport: 'local' };
    }
    default:
      if (!input) throw invalidArgument('no image given');
      return { transport: 'local', name: input };
  }
}

/** The location written back as a user would type it, for messages. */
export function formatImageLocation(loc: ImageLocation): string {
  switch (loc.transport) {
    case 'docker':
      return `docker://${loc.ref}`;
    case 'oci':
    case 'oci-archive':
      return `${loc.transport}:${loc.path}${loc.refName ? `:${loc.refName}` : ''}`;
    case 'docker-archive':
      return `docker-archive:${loc.path}${loc.name ? `:${loc.name}` : loc.index !== undefined ? `:@${loc.index}` : ''}`;
    case 'local':
      return `containers-storage:${loc.name ?? ''}`;
  }
}
