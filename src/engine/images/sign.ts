/**
 * Signing a manifest being written to a registry: `push`/`image copy` with `--sign-by` (GPG
 * simple signing, into the lookaside store) and `--sign-by-sigstore-private-key` (a sigstore
 * signature, attached in the registry as `sha256-<digest>.sig`).
 */
import { invalidArgument } from '../../core/errdefs.js';
import { formatReference, type Reference } from '../../core/images/reference.js';
import { appendSignature } from '../../impl/trust/lookaside.js';
import { loadRegistriesD, lookasideBase } from '../../impl/trust/registries-d.js';
import { gpgSign, makePayload } from '../../impl/trust/simple-signing.js';
import { makeSigstorePayload, signPayload } from '../../impl/trust/sigstore.js';
import { useSigstoreAttachments, writeAttachment, type AttachmentRepository } from '../../impl/trust/sigstore-attachments.js';
import { readPassphraseFile, readSigstorePrivateKey } from '../../impl/trust/sigstore-key.js';

export interface SignOptions {
  /** GPG key (fingerprint or user ID in $GNUPGHOME) */
  signBy?: string;
  /** a sigstore private key file (`key generate`'s, cosign's) */
  signBySigstorePrivateKey?: string;
  /** passphrase of the key: read by gpg for --sign-by (otherwise gpg-agent asks); required for a sigstore key */
  signPassphraseFile?: string;
  /** the sigstore key's passphrase itself, when no file is given (the CLI passes $SKIFF_SIGSTORE_PASSPHRASE) */
  sigstorePassphrase?: string;
  /** the only registries.d directory read to find where the signature goes */
  registriesDir?: string;
}

export const wantsSignature = (o: SignOptions | undefined): o is SignOptions => !!(o?.signBy || o?.signBySigstorePrivateKey);

/** Where the caller sends the manifest: the repository the sigstore attachment goes to. */
export interface SignTarget {
  ref: Reference;
  repo: AttachmentRepository;
  /** how the attachment is named in messages (`host/repo`) */
  name: string;
}

/**
 * Signs the manifest `digest` as `dest` now, and returns how to store the signatures: callers
 * sign before the manifest goes out (a key that cannot sign, a wrong passphrase or a
 * registries.d that has nowhere to put the signature leave no unsigned image under the name,
 * as containers/image) and store them once the registry took the manifest.
 */
export async function signManifest(target: SignTarget, digest: string, opts: SignOptions): Promise<{ write(): Promise<string> }> {
  const dest = target.ref;
  const conf = loadRegistriesD(opts.registriesDir);
  const writes: (() => Promise<string>)[] = [];
  if (opts.signBy) {
    const base = lookasideBase(conf, dest, true);
    if (!base.startsWith('file:')) {
      throw invalidArgument(`--sign-by: signatures for ${formatReference(dest)} would go to ${base}; only a file:// lookaside (or lookaside-staging) can be written`);
    }
    const sig = await gpgSign(makePayload(digest, formatReference(dest), 'skiff'), opts.signBy, opts.signPassphraseFile);
    writes.push(() => appendSignature(base, digest, sig));
  }
  if (opts.signBySigstorePrivateKey) {
    if (!useSigstoreAttachments(conf, dest)) {
      throw invalidArgument(`--sign-by-sigstore-private-key: registries.d does not set use-sigstore-attachments: true for ${formatReference(dest)}, so the signature has nowhere to go`);
    }
    const passphrase = opts.signPassphraseFile ? await readPassphraseFile(opts.signPassphraseFile) : opts.sigstorePassphrase !== undefined ? Buffer.from(opts.sigstorePassphrase) : undefined;
    if (!passphrase) throw invalidArgument('--sign-by-sigstore-private-key needs --sign-passphrase-file or $SKIFF_SIGSTORE_PASSPHRASE (skiff does not prompt)');
    const key = await readSigstorePrivateKey(opts.signBySigstorePrivateKey, passphrase);
    const sig = await signPayload(makeSigstorePayload(digest, formatReference(dest), 'skiff'), key);
    writes.push(async () => `${target.name}:${await writeAttachment(target.repo, digest, sig)}`);
  }
  return {
    write: async () => {
      const at: string[] = [];
      for (const w of writes) at.push(await w());
      return at.join(', ');
    },
  };
}
