import { invalidArgument } from '../errdefs.js';

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

/** Throws InvalidArgument unless `s` is a sha256 digest we can store. */
export function parseDigest(s: string): { algorithm: 'sha256'; hex: string } {
  if (!DIGEST_RE.test(s)) throw invalidArgument(`invalid digest "${s}": want sha256:<64 hex>`);
  return { algorithm: 'sha256', hex: s.slice(7) };
}

export function shortId(digestOrId: string, len = 12): string {
  const hex = digestOrId.startsWith('sha256:') ? digestOrId.slice(7) : digestOrId;
  return hex.slice(0, len);
}
