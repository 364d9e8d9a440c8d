/** GPG simple signing of a manifest being written to a registry: `push --sign-by`, `image copy --sign-by`. */
import { invalidArgument } from '../../core/errdefs.js';
import { formatReference, type Reference } from '../../core/images/reference.js';
import { appendSignature } from '../../impl/trust/lookaside.js';
import { loadRegistriesD, lookasideBase } from '../../impl/trust/registries-d.js';
import { gpgSign, makePayload } from '../../impl/trust/simple-signing.js';

export interface SignOptions {
  /** GPG key (fingerprint or user ID in $GNUPGHOME) */
  signBy: string;
  /** passphrase of that key, read by gpg (otherwise gpg-agent asks) */
  signPassphraseFile?: string;
  /** the only registries.d directory read to find where the signature goes */
  registriesDir?: string;
}

/**
 * Signs the manifest `digest` as `dest` now, and returns how to store the signature in the
 * lookaside: callers sign before the manifest goes out (a key that cannot sign leaves no
 * unsigned image under the name, as containers/image) and store it once the registry took it.
 */
export async function signManifest(dest: Reference, digest: string, opts: SignOptions): Promise<{ write(): Promise<string> }> {
  const base = lookasideBase(loadRegistriesD(opts.registriesDir), dest, true);
  if (!base.startsWith('file:')) {
    throw invalidArgument(`--sign-by: signatures for ${formatReference(dest)} would go to ${base}; only a file:// lookaside (or lookaside-staging) can be written`);
  }
  const sig = await gpgSign(makePayload(digest, formatReference(dest), 'skiff'), opts.signBy, opts.signPassphraseFile);
  return { write: () => appendSignature(base, digest, sig) };
}
