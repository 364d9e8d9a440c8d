/**
 * @module archive/paths
 * Names inside an archive. Nothing is extracted to disk, but a name that climbs out of the
 * archive root is a sign of a hostile or broken archive, so it is refused outright rather
 * than quietly normalised.
 */
import { posix } from 'node:path';
import { parseDigest } from '../../core/content/digest.js';
import { invalidArgument } from '../../core/errdefs.js';

/** `./a//b/` → `a/b`; throws InvalidArgument for absolute names and any `..` component. */
export function cleanEntryName(name: string): string {
  if (name.startsWith('/')) throw invalidArgument(`archive entry "${name}" is an absolute path`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw invalidArgument(`archive entry "${name}" escapes the archive root (contains "..")`);
  return parts.join('/');
}

/**
 * Resolves a link target to a name inside the archive. Symlink targets are relative to the
 * link's directory (podman writes `<id>/layer.tar -> ../<hex>.tar`); hard-link targets are
 * archive names.
 */
export function resolveLinkTarget(linkName: string, target: string, kind: 'symlink' | 'link'): string {
  if (target.startsWith('/')) throw invalidArgument(`archive link "${linkName}" points at absolute path "${target}"`);
  const joined = kind === 'symlink' ? posix.join(posix.dirname(linkName), target) : posix.normalize(target);
  const norm = posix.normalize(joined);
  if (norm === '..' || norm.startsWith('../')) {
    throw invalidArgument(`archive link "${linkName}" -> "${target}" escapes the archive root`);
  }
  return norm.replace(/^\.\//, '').replace(/\/$/, '');
}

const BLOB_PATH = /^blobs\/sha256\/([a-f0-9]{64})$/;

/** The digest an OCI layout path names (`blobs/sha256/<hex>`), or undefined. */
export function digestOfBlobPath(name: string): string | undefined {
  const m = BLOB_PATH.exec(name);
  return m ? `sha256:${m[1]}` : undefined;
}

export function blobPathOf(digest: string): string {
  return `blobs/sha256/${parseDigest(digest).hex}`;
}
