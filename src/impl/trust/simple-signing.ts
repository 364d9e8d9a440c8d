/**
 * "Simple signing" (containers-signature(5)): an OpenPGP signed message whose content is a JSON
 * document naming the manifest digest and the docker reference it vouches for.
 *
 * Verification uses openpgp (npm), not gpg: the policy's keyPath/keyData are read as given,
 * without importing anything into a keyring or touching the user's GNUPGHOME, and without a
 * process per signature. Signing drives `gpg`, because the secret key lives in the user's gpg
 * keyring (and agent, for its passphrase), as containers/image reaches it through gpgme.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { invalidArgument } from '../../core/errdefs.js';
import { exactKeys, isObj, makeSignedPayload, parseJson, readCritical, type SignedPayload } from './signed-payload.js';

export const SIGNATURE_TYPE = 'atomic container signature';

export type Payload = SignedPayload;

export function makePayload(manifestDigest: string, dockerReference: string, creator: string): Buffer {
  return makeSignedPayload(SIGNATURE_TYPE, manifestDigest, dockerReference, creator);
}

/** Strict as containers/image: an unknown field in `critical` refuses the signature. */
export function parsePayload(bytes: Uint8Array): Payload {
  const doc = parseJson(bytes, 'the signed content');
  const top = exactKeys(doc, isObj(doc) && 'optional' in doc ? ['critical', 'optional'] : ['critical'], 'the signed document');
  const p: Payload = readCritical(top.critical, SIGNATURE_TYPE);
  if (isObj(top.optional)) {
    if (typeof top.optional.creator === 'string') p.creator = top.optional.creator;
    if (typeof top.optional.timestamp === 'number') p.timestamp = top.optional.timestamp;
  }
  return p;
}

/** A digest of `manifest` in the signed digest's algorithm, as containers/image's MatchesDigest. */
export function manifestMatches(manifest: Buffer, signed: string): boolean {
  const [alg, hex] = signed.split(':');
  if ((alg !== 'sha256' && alg !== 'sha512') || !hex) return false;
  return createHash(alg).update(manifest).digest('hex') === hex.toLowerCase();
}

export interface TrustedKeys {
  /** openpgp key objects; typed loosely so openpgp stays a lazy import */
  keys: unknown[];
  fingerprints: string[];
}

/** Reads an armored or binary key file's keys (a whole exported keyring is fine). */
export async function readKeys(data: Buffer | string, what: string): Promise<TrustedKeys> {
  const openpgp = await import('./openpgp.js');
  const text = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  try {
    const keys = text.subarray(0, 200).toString('latin1').includes('-----BEGIN PGP')
      ? await openpgp.readKeys({ armoredKeys: text.toString('utf8') })
      : await openpgp.readKeys({ binaryKeys: new Uint8Array(text) });
    return { keys, fingerprints: keys.map((k) => k.getFingerprint().toUpperCase()) };
  } catch (e) {
    throw invalidArgument(`reading GPG keys from ${what}: ${(e as Error).message}`, e);
  }
}

/**
 * Checks the OpenPGP signature of `sig` with `trusted` only and returns the signed content and
 * the primary fingerprint of the key that made it. Throws with the reason otherwise.
 */
export async function verifySignature(sig: Buffer, trusted: TrustedKeys): Promise<{ content: Uint8Array; fingerprint: string }> {
  const openpgp = await import('./openpgp.js');
  const keys = trusted.keys as Awaited<ReturnType<typeof openpgp.readKeys>>;
  let message;
  try {
    message = await openpgp.readMessage({ binaryMessage: new Uint8Array(sig) });
  } catch (e) {
    throw invalidArgument(`not an OpenPGP message: ${(e as Error).message}`, e);
  }
  let result;
  try {
    result = await openpgp.verify({ message, verificationKeys: keys, format: 'binary' });
  } catch (e) {
    throw invalidArgument(`invalid OpenPGP message: ${(e as Error).message}`, e);
  }
  if (result.signatures.length === 0) throw invalidArgument('the message carries no signature');
  const reasons: string[] = [];
  for (const s of result.signatures) {
    const keyId = s.keyID.toHex().toUpperCase();
    try {
      await s.verified;
    } catch (e) {
      const msg = (e as Error).message;
      reasons.push(/Could not find signing key/i.test(msg) ? `signed by key ${keyId}, which the policy does not trust` : `signature by key ${keyId} does not verify: ${msg}`);
      continue;
    }
    const key = keys.find((k) => k.getKeys(s.keyID).length > 0);
    if (!key) {
      reasons.push(`signed by key ${keyId}, which the policy does not trust`);
      continue;
    }
    return { content: result.data as Uint8Array, fingerprint: key.getFingerprint().toUpperCase() };
  }
  throw invalidArgument(reasons.join('; '));
}

/**
 * Signs `payload` with the secret key `keyId` of the user's gpg keyring ($GNUPGHOME), as an
 * OpenPGP signed (not detached, not armored) message: what containers/image writes.
 */
export function gpgSign(payload: Buffer, keyId: string, passphraseFile?: string): Promise<Buffer> {
  const args = ['--no-tty', '--local-user', keyId, '--sign', '--output', '-'];
  if (passphraseFile) args.unshift('--batch', '--pinentry-mode', 'loopback', '--passphrase-file', passphraseFile);
  return new Promise((resolve, reject) => {
    const p = spawn('gpg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', (e) => reject(invalidArgument(`signing with gpg: ${e.message}`, e)));
    p.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(invalidArgument(`signing with gpg key ${keyId} failed: ${err.trim().split('\n').at(-1) ?? `exit ${code}`}`));
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(payload);
  });
}
