/**
 * `image sign` (Podman's): GPG simple signatures for images already in a registry, written to
 * `--directory` or to the lookaside store registries.d names (lookaside-staging, else lookaside);
 * `image verify`: the signature policy checked against a registry image without pulling it,
 * reporting who vouched for it.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invalidArgument } from '../../core/errdefs.js';
import { formatReference } from '../../core/images/reference.js';
import { checkImageAllowed } from '../../impl/trust/evaluate.js';
import { appendSignature } from '../../impl/trust/lookaside.js';
import { loadPolicy, requirementsFor } from '../../impl/trust/policy.js';
import { loadRegistriesD, lookasideBase } from '../../impl/trust/registries-d.js';
import { readAttachments } from '../../impl/trust/sigstore-attachments.js';
import { gpgSign, makePayload } from '../../impl/trust/simple-signing.js';
import { registriesFor } from './remote-common.js';
import type { RemoteOptions } from './remote-types.js';
import { resolveRemote } from './transports/registry.js';

export interface ImageSignOptions extends RemoteOptions {
  /** GPG key (fingerprint or user ID in $GNUPGHOME) */
  signBy: string;
  /** a signature store directory instead of registries.d's (Podman's --directory) */
  directory?: string;
  signPassphraseFile?: string;
  registriesDir?: string;
}

export interface ImageSignResult {
  image: string;
  digest: string;
  /** where the signature was written */
  signature: string;
}

function dockerOnly(image: string): string {
  if (!image.startsWith('docker://')) throw invalidArgument(`${image}: only docker:// images can be signed (write it as docker://HOST/REPO:TAG)`);
  return image;
}

export async function signPushedImages(images: string[], opts: ImageSignOptions): Promise<ImageSignResult[]> {
  if (images.length === 0) throw invalidArgument('image sign needs at least one image');
  images.forEach(dockerOnly);
  const registries = registriesFor(opts);
  try {
    const out: ImageSignResult[] = [];
    for (const image of images) {
      const r = await resolveRemote(registries, image);
      const ref = r.ref;
      const base = opts.directory ? `${pathToFileURL(resolve(opts.directory)).href}/${ref.path}` : lookasideBase(loadRegistriesD(opts.registriesDir), ref, true);
      if (!base.startsWith('file:')) throw invalidArgument(`image sign: signatures for ${formatReference(ref)} would go to ${base}; give --directory or a file:// lookaside(-staging) in registries.d`);
      const digest = r.top.descriptor.digest;
      const sig = await gpgSign(makePayload(digest, formatReference(ref), 'skiff'), opts.signBy, opts.signPassphraseFile);
      out.push({ image: formatReference(ref), digest, signature: await appendSignature(base, digest, sig) });
    }
    return out;
  } finally {
    registries.close();
  }
}

export interface ImageVerifyOptions extends RemoteOptions {
  signaturePolicy?: string;
  registriesDir?: string;
}

export interface ImageVerifyResult {
  image: string;
  digest: string;
  /** the policy file (none: the built-in accept-anything) and the scope that applied */
  policy?: string;
  scope: string;
  /** the requirements of that scope, by type */
  requirements: string[];
  /** GPG signatures that met a signedBy requirement */
  signedBy: { fingerprint: string; identity: string; url: string }[];
  /** sigstore signatures that met a sigstoreSigned requirement */
  sigstore: { key: string; identity: string }[];
}

/** Throws the policy's refusal (PermissionDenied) as pull would; nothing is stored either way. */
export async function verifyImage(image: string, opts: ImageVerifyOptions = {}): Promise<ImageVerifyResult> {
  const policy = loadPolicy(opts.signaturePolicy);
  const registries = registriesFor(opts);
  try {
    const r = await resolveRemote(registries, image);
    const digest = r.top.descriptor.digest;
    const accepted = await checkImageAllowed(policy, () => loadRegistriesD(opts.registriesDir), {
      ref: r.ref,
      manifest: r.top.bytes,
      digest,
      sigstoreSignatures: () => readAttachments(r.remote, digest),
    });
    const { scope, requirements } = requirementsFor(policy, r.ref);
    return {
      image: formatReference(r.ref),
      digest,
      ...(policy.file ? { policy: policy.file } : {}),
      scope,
      requirements: requirements.map((q) => q.type),
      signedBy: accepted.signedBy,
      sigstore: accepted.sigstore,
    };
  } finally {
    registries.close();
  }
}
