/**
 * Is pulling this image allowed? containers/image's IsRunningImageAllowed for the docker
 * transport: every requirement of the most specific scope must accept; a signedBy requirement
 * accepts when one of the image's lookaside signatures verifies with its keys, names the
 * manifest pulled and claims an identity its signedIdentity allows; a sigstoreSigned one the same
 * with the registry's `sha256-<digest>.sig` attachment and the policy's public key.
 */
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { EngineError, invalidArgument } from '../../core/errdefs.js';
import { formatReference, type Reference } from '../../core/images/reference.js';
import { describeIdentity, identityMatches } from './identity.js';
import { readSignatures } from './lookaside.js';
import { requirementsFor, requirementsForTransport, type Policy, type Requirement } from './policy.js';
import { lookasideBase, type RegistriesD } from './registries-d.js';
import { verifySigstoreSignature, type SigstoreSignature } from './sigstore.js';
import { attachmentTag, useSigstoreAttachments } from './sigstore-attachments.js';
import { parseSigstorePublicKey } from './sigstore-key.js';
import { manifestMatches, parsePayload, readKeys, verifySignature, type TrustedKeys } from './simple-signing.js';

export interface ImageToCheck {
  /** the reference the image is pulled as (after short-name expansion) */
  ref: Reference;
  /** the top-level manifest (or index) exactly as the registry served it */
  manifest: Buffer;
  /** its digest */
  digest: string;
  /** the sigstore signatures attached in the registry; read only when a sigstoreSigned requirement applies */
  sigstoreSignatures?: () => Promise<SigstoreSignature[]>;
}

export interface Accepted {
  /** requirement → who vouched, for `--signatures`-style reports and events */
  signedBy: { fingerprint: string; identity: string; url: string }[];
  /** sigstoreSigned requirements met: the key file (or "keyData") and the identity signed */
  sigstore: { key: string; identity: string }[];
}

const refused = (msg: string) => new EngineError('PermissionDenied', msg);

function describe(r: Requirement): string {
  if (r.type === 'sigstoreSigned') return `sigstoreSigned (${r.keyPath !== undefined ? `keyPath ${r.keyPath}` : 'keyData'}, signedIdentity ${describeIdentity(r.signedIdentity)})`;
  if (r.type !== 'signedBy') return r.type;
  const keys = r.keyPaths ? `keyPath ${r.keyPaths.join(', ')}` : 'keyData';
  return `signedBy (GPGKeys, ${keys}, signedIdentity ${describeIdentity(r.signedIdentity)})`;
}

async function trustedKeys(r: Extract<Requirement, { type: 'signedBy' }>): Promise<TrustedKeys> {
  if (r.keyData !== undefined) return readKeys(Buffer.from(r.keyData, 'base64'), 'keyData');
  const all: TrustedKeys = { keys: [], fingerprints: [] };
  for (const p of r.keyPaths!) {
    let bytes: Buffer;
    try {
      bytes = await readFile(p);
    } catch (e) {
      throw invalidArgument(`signature policy: reading key file ${p}: ${(e as Error).message}`, e);
    }
    const k = await readKeys(bytes, p);
    all.keys.push(...k.keys);
    all.fingerprints.push(...k.fingerprints);
  }
  return all;
}

async function checkSignedBy(r: Extract<Requirement, { type: 'signedBy' }>, image: ImageToCheck, conf: RegistriesD): Promise<Accepted['signedBy'][number]> {
  const keys = await trustedKeys(r);
  const base = lookasideBase(conf, image.ref, false);
  const sigs = await readSignatures(base, image.digest);
  if (sigs.length === 0) throw refused(`a signature was required, but no signature exists (looked in ${base})`);
  const reasons: string[] = [];
  for (const s of sigs) {
    const name = s.url.slice(s.url.lastIndexOf('/') + 1);
    try {
      const { content, fingerprint } = await verifySignature(s.bytes, keys);
      const p = parsePayload(content);
      if (!manifestMatches(image.manifest, p.manifestDigest)) {
        throw invalidArgument(`it signs manifest ${p.manifestDigest}, not the one pulled (${image.digest})`);
      }
      if (!identityMatches(r.signedIdentity, image.ref, p.dockerReference)) {
        throw invalidArgument(`it is for identity "${p.dockerReference}", which ${describeIdentity(r.signedIdentity)} does not accept for ${formatReference(image.ref)}`);
      }
      return { fingerprint, identity: p.dockerReference, url: s.url };
    } catch (e) {
      reasons.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw refused(`no signature is accepted: ${reasons.join('; ')}`);
}

async function sigstoreKeys(r: Extract<Requirement, { type: 'sigstoreSigned' }>): Promise<KeyObject[]> {
  if (r.keyData !== undefined) return [parseSigstorePublicKey(Buffer.from(r.keyData, 'base64'), 'keyData')];
  let bytes: Buffer;
  try {
    bytes = await readFile(r.keyPath!);
  } catch (e) {
    throw invalidArgument(`signature policy: reading key file ${r.keyPath}: ${(e as Error).message}`, e);
  }
  return [parseSigstorePublicKey(bytes, r.keyPath!)];
}

async function checkSigstoreSigned(r: Extract<Requirement, { type: 'sigstoreSigned' }>, image: ImageToCheck, conf: RegistriesD): Promise<Accepted['sigstore'][number]> {
  const keys = await sigstoreKeys(r);
  if (!useSigstoreAttachments(conf, image.ref)) throw refused('a signature was required, but no signature exists (registries.d does not set use-sigstore-attachments for this repository, so none is read)');
  const sigs = image.sigstoreSignatures ? await image.sigstoreSignatures() : [];
  if (sigs.length === 0) throw refused(`a signature was required, but no signature exists (no ${attachmentTag(image.digest)} attachment)`);
  const reasons: string[] = [];
  for (const [i, s] of sigs.entries()) {
    try {
      const p = await verifySigstoreSignature(s, keys);
      if (!manifestMatches(image.manifest, p.manifestDigest)) throw invalidArgument(`it signs manifest ${p.manifestDigest}, not the one pulled (${image.digest})`);
      if (!identityMatches(r.signedIdentity, image.ref, p.dockerReference)) {
        throw invalidArgument(`it is for identity "${p.dockerReference}", which ${describeIdentity(r.signedIdentity)} does not accept for ${formatReference(image.ref)}`);
      }
      return { key: r.keyPath ?? 'keyData', identity: p.dockerReference };
    } catch (e) {
      reasons.push(`signature ${i + 1}: ${(e as Error).message}`);
    }
  }
  throw refused(`no signature is accepted: ${reasons.join('; ')}`);
}

/** Throws PermissionDenied naming the scope and the requirement that refused; `conf` is read only when a signature is needed. */
export async function checkImageAllowed(policy: Policy, conf: () => RegistriesD, image: ImageToCheck): Promise<Accepted> {
  const { scope, requirements } = requirementsFor(policy, image.ref);
  const where = `${policy.file ?? 'built-in policy'} ${scope}`;
  const accepted: Accepted = { signedBy: [], sigstore: [] };
  for (const r of requirements) {
    const fail = (why: string) => refused(`${formatReference(image.ref)} refused by signature policy ${where}: requirement ${describe(r)}: ${why}`);
    switch (r.type) {
      case 'insecureAcceptAnything':
        break;
      case 'reject':
        throw fail('the policy rejects every image here');
      case 'sigstoreSigned':
      case 'signedBy':
        try {
          if (r.type === 'signedBy') accepted.signedBy.push(await checkSignedBy(r, image, conf()));
          else accepted.sigstore.push(await checkSigstoreSigned(r, image, conf()));
        } catch (e) {
          if (e instanceof EngineError && e.code === 'PermissionDenied') throw fail(e.message);
          throw e;
        }
    }
  }
  return accepted;
}

/**
 * Is reading an image from a local transport (docker-archive, oci-archive, oci) allowed? Such
 * sources carry no signature skiff reads, so only insecureAcceptAnything lets one through, as
 * with containers/image (whose archive transports hold no signatures either). `what` names the
 * source in the error; `scopes` come from `pathScopes`.
 */
export function checkLocalSourceAllowed(policy: Policy, transport: string, scopes: string[], what: string): void {
  const { scope, requirements } = requirementsForTransport(policy, transport, scopes);
  const where = `${policy.file ?? 'built-in policy'} ${scope}`;
  for (const r of requirements) {
    const fail = (why: string) => refused(`${what} refused by signature policy ${where}: requirement ${describe(r)}: ${why}`);
    if (r.type === 'reject') throw fail('the policy rejects every image here');
    if (r.type !== 'insecureAcceptAnything') throw fail(`a signature was required, but no signature exists (a ${transport} source carries none)`);
  }
}
