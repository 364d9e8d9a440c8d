/**
 * Sigstore (cosign-format) key files, as sigstore's cryptoutils and containers/image read them:
 * the private key is a PEM block "ENCRYPTED SIGSTORE PRIVATE KEY" whose bytes are
 * go-securesystemslib's encrypted JSON (scrypt key derivation, nacl/secretbox cipher) around a
 * PKCS#8 key; the public key is a PKIX "PUBLIC KEY" PEM.
 *
 * scrypt runs on libuv's thread pool (crypto.scrypt, never scryptSync): at N=32768 it takes
 * ~100 ms, which the API service's event loop must not wait through.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, scrypt, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type * as Tweetnacl from 'tweetnacl';
import { invalidArgument } from '../../core/errdefs.js';

export const PRIVATE_KEY_PEM = 'ENCRYPTED SIGSTORE PRIVATE KEY';
/** what cosign itself writes; containers/image 5.23 reads only the sigstore name, cosign both */
const COSIGN_PRIVATE_KEY_PEM = 'ENCRYPTED COSIGN PRIVATE KEY';

/** go-securesystemslib's default parameters, what cosign and containers/image write */
const SCRYPT = { N: 32768, r: 8, p: 1 };
/** a key file must not make reading it cost gigabytes or minutes */
const saneScrypt = (p: { N: number; r: number; p: number }) => Number.isInteger(Math.log2(p.N)) && p.N >= 1024 && p.N <= 1 << 20 && p.r >= 1 && p.r <= 32 && p.p >= 1 && p.p <= 16;
const KEY_BYTES = 32;
const SALT_BYTES = 32;
const NONCE_BYTES = 24;

function pem(type: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

function unpem(text: string, what: string): { type: string; bytes: Buffer } {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) throw invalidArgument(`${what}: not a PEM file`);
  return { type: m[1]!, bytes: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64') };
}

function deriveKey(passphrase: Buffer, salt: Buffer, p: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // 128·N·r bytes of work memory, over Node's 32 MiB default at N=32768
    scrypt(passphrase, salt, KEY_BYTES, { ...p, maxmem: 256 * p.N * p.r + (1 << 20) }, (e, k) => (e ? reject(e) : resolve(k)));
  });
}

type Nacl = typeof Tweetnacl;

/** tweetnacl is CommonJS: its functions are the default export once bundled, the namespace's under tsc. */
async function nacl(): Promise<Nacl> {
  const m = (await import('tweetnacl')) as unknown as Nacl & { default?: Nacl };
  return m.default ?? m;
}

/** go-securesystemslib encrypted.Encrypt: the JSON document (Go's []byte fields are base64). */
export async function encryptKey(plain: Buffer, passphrase: Buffer): Promise<Buffer> {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const key = await deriveKey(passphrase, salt, SCRYPT);
  const box = (await nacl()).secretbox(new Uint8Array(plain), new Uint8Array(nonce), new Uint8Array(key));
  return Buffer.from(
    JSON.stringify({
      kdf: { name: 'scrypt', params: SCRYPT, salt: salt.toString('base64') },
      cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
      ciphertext: Buffer.from(box).toString('base64'),
    }),
  );
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export async function decryptKey(doc: Buffer, passphrase: Buffer, what: string): Promise<Buffer> {
  let d: unknown;
  try {
    d = JSON.parse(doc.toString('utf8'));
  } catch {
    throw invalidArgument(`${what}: the encrypted key is not JSON`);
  }
  const kdf = isObj(d) && isObj(d.kdf) ? d.kdf : undefined;
  const cipher = isObj(d) && isObj(d.cipher) ? d.cipher : undefined;
  const params = kdf && isObj(kdf.params) ? kdf.params : undefined;
  if (!kdf || !cipher || !params || typeof d !== 'object' || typeof (d as Obj).ciphertext !== 'string') throw invalidArgument(`${what}: not an encrypted sigstore key`);
  if (kdf.name !== 'scrypt') throw invalidArgument(`${what}: key derivation "${String(kdf.name)}" is not supported (only scrypt)`);
  if (cipher.name !== 'nacl/secretbox') throw invalidArgument(`${what}: cipher "${String(cipher.name)}" is not supported (only nacl/secretbox)`);
  const p = { N: Number(params.N), r: Number(params.r), p: Number(params.p) };
  if (!saneScrypt(p)) throw invalidArgument(`${what}: unsupported scrypt parameters N=${p.N} r=${p.r} p=${p.p}`);
  const key = await deriveKey(passphrase, Buffer.from(String(kdf.salt), 'base64'), p);
  const plain = (await nacl()).secretbox.open(
    new Uint8Array(Buffer.from((d as Obj).ciphertext as string, 'base64')),
    new Uint8Array(Buffer.from(String(cipher.nonce), 'base64')),
    new Uint8Array(key),
  );
  if (!plain) throw invalidArgument(`${what}: decrypting the private key failed (wrong passphrase?)`);
  return Buffer.from(plain);
}

export interface SigstoreKeyPair {
  /** the encrypted private key PEM */
  privateKey: string;
  /** the public key PEM */
  publicKey: string;
}

/** A new ECDSA P-256 pair, as cosign generate-key-pair and skopeo generate-sigstore-key make. */
export async function generateSigstoreKeyPair(passphrase: Buffer): Promise<SigstoreKeyPair> {
  const pair = await new Promise<{ publicKey: KeyObject; privateKey: KeyObject }>((resolve, reject) =>
    generateKeyPair('ec', { namedCurve: 'P-256' }, (e, publicKey, privateKey) => (e ? reject(e) : resolve({ publicKey, privateKey }))),
  );
  const pkcs8 = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
  return {
    privateKey: pem(PRIVATE_KEY_PEM, await encryptKey(pkcs8, passphrase)),
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Reads and decrypts a private key file; an EC key only (what skiff signs with). */
export async function readSigstorePrivateKey(path: string, passphrase: Buffer): Promise<KeyObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw invalidArgument(`reading sigstore private key ${path}: ${(e as Error).message}`, e);
  }
  const block = unpem(text, path);
  if (block.type !== PRIVATE_KEY_PEM && block.type !== COSIGN_PRIVATE_KEY_PEM) throw invalidArgument(`${path}: PEM type "${block.type}" is not a sigstore private key`);
  const der = await decryptKey(block.bytes, passphrase, path);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw invalidArgument(`${path}: the decrypted key is not PKCS#8: ${(e as Error).message}`, e);
  }
  if (key.asymmetricKeyType !== 'ec') throw invalidArgument(`${path}: a ${key.asymmetricKeyType} key; skiff signs with ECDSA keys only`);
  return key;
}

/** A PKIX public key PEM (a policy's keyPath file or decoded keyData). */
export function parseSigstorePublicKey(text: Buffer | string, what: string): KeyObject {
  const block = unpem(Buffer.isBuffer(text) ? text.toString('utf8') : text, what);
  if (block.type !== 'PUBLIC KEY') throw invalidArgument(`${what}: PEM type "${block.type}" is not a public key`);
  try {
    return createPublicKey({ key: block.bytes, format: 'der', type: 'spki' });
  } catch (e) {
    throw invalidArgument(`${what}: not a public key: ${(e as Error).message}`, e);
  }
}

/** The first line of a passphrase file, as containers/common's ReadPassphraseFile. */
export async function readPassphraseFile(path: string): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw invalidArgument(`reading passphrase file ${path}: ${(e as Error).message}`, e);
  }
  return Buffer.from(text.split('\n', 1)[0]!, 'utf8');
}
