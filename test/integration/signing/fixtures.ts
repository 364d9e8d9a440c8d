// GPG keys in their own GNUPGHOME, a lookaside store with its registries.d, and policy files:
// what the signing tests share with skopeo and podman as peers.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestEnv } from '../../helpers/env.js';

export interface GpgKey {
  /** the GNUPGHOME holding the secret key */
  home: string;
  fingerprint: string;
  /** the public key, armored, as a policy's keyPath names it */
  publicKey: string;
}

/** A passphrase-less signing key generated in batch mode in a GNUPGHOME of its own under `dir`. */
export function makeGpgKey(dir: string, name: string, algo = 'default'): GpgKey {
  const home = join(dir, `gnupg-${name}`);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const gpg = (args: string[]) => execFileSync('gpg', ['--homedir', home, '--batch', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  gpg(['--passphrase', '', '--quick-gen-key', `${name} <${name}@skiff.test>`, algo, 'sign', 'never']);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(['--with-colons', '--list-keys']))![1]!;
  const publicKey = join(dir, `${name}.asc`);
  writeFileSync(publicKey, gpg(['--armor', '--export', fingerprint]));
  return { home, fingerprint, publicKey };
}

/** Stops the gpg-agent a key's GNUPGHOME started. */
export function stopAgent(key: GpgKey): void {
  spawnSync('gpgconf', ['--homedir', key.home, '--kill', 'gpg-agent']);
}

/** A registries.d directory whose default-docker lookaside is a fresh file:// store under `dir`. */
export function lookasideStore(dir: string): { registriesD: string; sigstore: string } {
  const registriesD = join(dir, 'registries.d');
  const sigstore = join(dir, 'sigstore');
  mkdirSync(registriesD, { recursive: true });
  mkdirSync(sigstore, { recursive: true });
  writeFileSync(join(registriesD, 'default.yaml'), `default-docker:\n  lookaside: file://${sigstore}\n  lookaside-staging: file://${sigstore}\n`);
  return { registriesD, sigstore };
}

/** The directory of a manifest's signatures in a lookaside store, as containers/image lays it out. */
export function signatureDir(sigstore: string, repoPath: string, digest: string): string {
  return join(sigstore, `${repoPath}@${digest.replace(':', '=')}`);
}

export function writePolicy(dir: string, name: string, policy: unknown): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(policy, null, 2));
  return file;
}

export const signedBy = (key: GpgKey, signedIdentity?: unknown) => ({
  type: 'signedBy',
  keyType: 'GPGKeys',
  keyPath: key.publicKey,
  ...(signedIdentity ? { signedIdentity } : {}),
});

/** `skopeo ARGS` with a key's GNUPGHOME; must succeed. */
export function skopeoAs(key: GpgKey | undefined, args: string[]): string {
  const r = spawnSync('skopeo', args, { encoding: 'utf8', env: { ...process.env, ...(key ? { GNUPGHOME: key.home } : {}) } });
  assert.equal(r.status, 0, `skopeo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Nothing of any image in the root: no image records, no blobs. */
export function assertEmptyStore(env: TestEnv): void {
  const r = env.run(['images', '-a', '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '', 'no image is recorded');
  const blobs = join(env.root, 'content/blobs/sha256');
  assert.deepEqual(existsSync(blobs) ? readdirSync(blobs) : [], [], 'no blob is stored');
}

/** A registries.d directory telling containers/image (and skiff) to keep sigstore signatures as registry attachments. */
export function attachmentsConf(dir: string, name = 'registries.d-sigstore'): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'default.yaml'), 'default-docker:\n  use-sigstore-attachments: true\n');
  return d;
}

/** A sigstore key pair made by `skiff key generate` in `env`, with its passphrase file. */
export function makeSigstoreKey(env: TestEnv, name: string): { privateKey: string; publicKey: string; passphraseFile: string } {
  const passphraseFile = join(env.dir, `${name}.pass`);
  writeFileSync(passphraseFile, `${name} passphrase\n`);
  const prefix = join(env.dir, name);
  const r = env.run(['key', 'generate', '--output-prefix', prefix, '--passphrase-file', passphraseFile]);
  assert.equal(r.code, 0, r.stderr);
  return { privateKey: `${prefix}.private`, publicKey: `${prefix}.pub`, passphraseFile };
}

export const sigstoreSigned = (publicKey: string, signedIdentity?: unknown) => ({
  type: 'sigstoreSigned',
  keyPath: publicKey,
  ...(signedIdentity ? { signedIdentity } : {}),
});

/** The registry's manifest `ref` (tag or digest) of `repo` over its plain-HTTP API, or undefined on 404. */
export async function registryManifest(host: string, repo: string, ref: string): Promise<Buffer | undefined> {
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' } });
  if (r.status === 404) return undefined;
  assert.equal(r.status, 200, `GET manifest ${repo}:${ref}`);
  return Buffer.from(await r.arrayBuffer());
}

/** PUTs an OCI manifest as `repo:tag` (its blobs must be in the repository already). */
export async function putRegistryManifest(host: string, repo: string, tag: string, bytes: Buffer): Promise<void> {
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: bytes });
  assert.equal(r.status, 201, `PUT manifest ${repo}:${tag}: ${await r.text()}`);
}
