/**
 * Sigstore (cosign-format) signatures as containers/image makes and checks them: the payload is
 * a JSON document like simple signing's, typed "cosign container image signature", signed with
 * ECDSA over SHA-256; the signature travels base64 in an annotation beside the payload.
 * No Fulcio certificates and no Rekor bundles: keys only.
 */
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { invalidArgument } from '../../core/errdefs.js';
import { exactKeys, isObj, makeSignedPayload, parseJson, readCritical, type SignedPayload } from './signed-payload.js';

export const SIGSTORE_SIGNATURE_TYPE = 'cosign container image signature';
export const SIGSTORE_PAYLOAD_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGSTORE_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

/** One signature as stored: the payload blob, its media type and its layer's annotations. */
export interface SigstoreSignature {
  mediaType: string;
  payload: Buffer;
  annotations: Record<string, string>;
}

export type SigstorePayload = SignedPayload;

export function makeSigstorePayload(manifestDigest: string, dockerReference: string, creator: string): Buffer {
  return makeSignedPayload(SIGSTORE_SIGNATURE_TYPE, manifestDigest, dockerReference, creator);
}

/**
 * Strict as containers/image's UntrustedSigstorePayload: `critical` and `optional` both present
 * (cosign writes `"optional": null`), nothing unknown in `critical`, anything in `optional`.
 */
export function parseSigstorePayload(bytes: Buffer): SigstorePayload {
  const top = exactKeys(parseJson(bytes, 'the signed payload'), ['critical', 'optional'], 'the signed payload');
  const p: SigstorePayload = readCritical(top.critical, SIGSTORE_SIGNATURE_TYPE);
  if (top.optional !== null) {
    if (!isObj(top.optional)) throw invalidArgument('optional is not an object');
    if (top.optional.creator !== undefined) {
      if (typeof top.optional.creator !== 'string') throw invalidArgument('optional.creator is not a string');
      p.creator = top.optional.creator;
    }
    if (top.optional.timestamp !== undefined) {
      if (!Number.isInteger(top.optional.timestamp)) throw invalidArgument('optional.timestamp is not an integer');
      p.timestamp = top.optional.timestamp as number;
    }
  }
  return p;
}

/** Signs `payload` (ECDSA P-256/SHA-256, ASN.1 DER) on the thread pool; the annotation's base64. */
export function signPayload(payload: Buffer, key: KeyObject): Promise<SigstoreSignature> {
  return new Promise((resolve, reject) =>
    cryptoSign('sha256', payload, key, (e, sig) =>
      e
        ? reject(invalidArgument(`signing with the sigstore key: ${e.message}`, e))
        : resolve({ mediaType: SIGSTORE_PAYLOAD_MEDIA_TYPE, payload, annotations: { [SIGSTORE_SIGNATURE_ANNOTATION]: sig.toString('base64') } }),
    ),
  );
}

/**
 * Checks `sig`'s cryptographic signature with `keys` only and returns its parsed payload; the
 * digest and identity are the caller's to check. Throws with the reason.
 */
export async function verifySigstoreSignature(sig: SigstoreSignature, keys: KeyObject[]): Promise<SigstorePayload> {
  const b64 = sig.annotations[SIGSTORE_SIGNATURE_ANNOTATION];
  if (b64 === undefined) throw invalidArgument(`missing ${SIGSTORE_SIGNATURE_ANNOTATION} annotation`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw invalidArgument(`the ${SIGSTORE_SIGNATURE_ANNOTATION} annotation is not base64`);
  const raw = Buffer.from(b64, 'base64');
  for (const key of keys) {
    const ok = await new Promise<boolean>((resolve) => cryptoVerify('sha256', sig.payload, key, raw, (e, good) => resolve(!e && good)));
    if (ok) return parseSigstorePayload(sig.payload);
  }
  throw invalidArgument(keys.length === 1 ? 'cryptographic signature verification failed: it was not made by the policy\'s key, or the payload was altered' : 'cryptographic signature verification failed with each of the policy\'s keys');
}
