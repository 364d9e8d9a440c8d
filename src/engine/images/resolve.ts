import { conflict, notFound } from '../../core/errdefs.js';
import { normalizeReference, formatReference, repositoryOf } from '../../core/images/reference.js';
import type { Records } from '../../impl/metadata/records.js';

export interface Resolved {
  id: string;
  /** the name the user gave, when it matched a name (so rmi untags only it) */
  name?: string;
}

const ID_RE = /^(?:sha256:)?([a-f0-9]{3,64})$/;

/**
 * Finds an image by full ID, name (normalised), repo@digest, or unambiguous ID prefix,
 * in the order Docker tries them.
 */
export function resolveImage(records: Records, input: string): Resolved {
  const idm = ID_RE.exec(input);
  if (idm && idm[1]!.length === 64) {
    const id = `sha256:${idm[1]}`;
    if (records.image(id)) return { id };
  }
  if (!input.startsWith('sha256:')) {
    let ref;
    try {
      ref = normalizeReference(input);
    } catch (e) {
      if (!idm) throw e;
    }
    if (ref) {
      if (ref.digest) {
        const byDigest = records.imageIdByDigest(repositoryOf(ref), ref.digest);
        if (byDigest) return { id: byDigest };
        const any = records.imageIdsByAnyDigest(ref.digest);
        if (any.length === 1) return { id: any[0]! };
      } else {
        const name = formatReference(ref);
        const id = records.imageIdByName(name);
        if (id) return { id, name };
      }
    }
  }
  if (idm) {
    const ids = records.imageIdsByPrefix(idm[1]!);
    if (ids.length === 1) return { id: ids[0]! };
    if (ids.length > 1) throw conflict(`short ID ${idm[1]} is ambiguous: ${ids.length} images match`);
  }
  throw notFound(`No such image: ${input}`);
}
