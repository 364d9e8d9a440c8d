// Names and directory checks shared by the storage drivers.
import { randomBytes } from '../../sys/random.js';
import { readFileSync } from 'node:fs';
import { failedPrecondition, invalidArgument } from '../../core/errdefs.js';

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Layer ids become directory names: no separators, no dot-only names. */
export function validateId(id: string): void {
  if (!ID_RE.test(id)) throw invalidArgument(`invalid layer id "${id}"`);
}

export function isValidId(id: string): boolean {
  return ID_RE.test(id);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A 26-character random name from the base32 alphabet, like containers/storage's short links. */
export function randomLinkName(): string {
  const bytes = randomBytes(26);
  let s = '';
  for (const b of bytes) s += BASE32[b & 31];
  return s;
}

/** Storage paths go into mount option strings, where these characters are separators. */
export function validateStoragePath(path: string): void {
  if (/[,:\\\s]/.test(path)) {
    throw invalidArgument(`storage root "${path}" must not contain ',', ':', '\\' or whitespace (they separate mount options)`);
  }
}

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points at or below `dir`, from /proc/self/mounts. */
export function mountsUnder(dir: string): string[] {
  const text = readFileSync('/proc/self/mounts', 'utf8');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[1];
    if (!field) continue;
    const m = unescapeMountPath(field);
    if (m === dir || m.startsWith(dir + '/')) out.push(m);
  }
  return out;
}

/** Deleting a tree that has a mount inside would delete the mounted files too. */
export function assertNotMounted(dir: string, what: string): void {
  const m = mountsUnder(dir);
  if (m.length > 0) throw failedPrecondition(`${what} is still mounted at ${m[0]}`);
}
